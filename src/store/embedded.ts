import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import type { Logger } from '../log';

export const EMBEDDED_DB_BINARY = path.resolve(__dirname, '..', '..', 'bin', 'embedded-db');

export interface EmbeddedDatabase {
  uri: string;
  /** The database's process as it is now (a restart changes it), for benchmarks to read its CPU and memory. */
  readonly pid: number;
  /** How long it has been down, in ms: 0 while it runs. */
  downForMs(): number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  port?: number;
  binary?: string;
  walLimitBytes?: number;
  /** Where restarts are reported. */
  logger?: Pick<Logger, 'warn' | 'error'>;
  /** The first restart's delay; each failed one doubles it, up to `restartMaxMs`. */
  restartBaseMs?: number;
  restartMaxMs?: number;
}

/**
 * Starts FerretDB on SQLite (tools/embedded-db) with its files in `dir`, on a loopback port (a
 * free one unless given), and resolves once it accepts connections. It is supervised: should it
 * exit, it is started again on the same port (the driver reconnects by itself), with backoff.
 */
export async function startEmbeddedDatabase(dir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const binary = options.binary ?? EMBEDDED_DB_BINARY;
  if (!fs.existsSync(binary)) {
    throw new Error(`the embedded database is not built (${binary} is missing): run "npm run build:db", or set MONGODB_URI`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = options.port ?? (await freePort());
  const args = ['-dir', dir, '-listen', `127.0.0.1:${port}`, ...(options.walLimitBytes === undefined ? [] : ['-wal-limit', String(options.walLimitBytes)])];
  const { logger, restartBaseMs = 200, restartMaxMs = 10_000 } = options;

  let child = await spawnReady(binary, args);
  let stopping = false;
  let downSince: number | undefined;
  let failedRestarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const restart = async () => {
    try {
      const started = await spawnReady(binary, args);
      if (stopping) return void (await stopChild(started));
      child = started;
      logger?.warn('the embedded database was restarted', { pid: started.pid, downForMs: Math.round(performance.now() - (downSince ?? performance.now())) });
      downSince = undefined;
      failedRestarts = 0;
      supervise(started);
    } catch (err) {
      failedRestarts++;
      logger?.error('the embedded database could not be restarted; trying again', { err, attempt: failedRestarts });
      scheduleRestart();
    }
  };
  const scheduleRestart = () => {
    if (stopping) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      restarting = restart().finally(() => (restarting = undefined));
    }, Math.min(restartMaxMs, restartBaseMs * 2 ** failedRestarts));
  };
  const supervise = (running: ChildProcess) => {
    running.once('exit', (code, signal) => {
      if (stopping) return;
      downSince = performance.now();
      logger?.error('the embedded database exited; restarting it', { code, signal });
      scheduleRestart();
    });
  };
  supervise(child);

  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    get pid() {
      return child.pid ?? 0;
    },
    downForMs: () => (downSince === undefined ? 0 : performance.now() - downSince),
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await restarting;
      await stopChild(child);
    },
  };
}

/** Starts the database process and resolves once it says it is ready; kills it and rejects if it does not. */
async function spawnReady(binary: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('the embedded database has no stdout');

  await new Promise<void>((resolve, reject) => {
    const lines = readline.createInterface({ input: stdout });
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the embedded database did not start: ${why}\n${stderr.join('')}`));
    };
    const timer = setTimeout(() => fail('no answer within 20 s'), 20_000);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`it exited with ${signal ?? `code ${code}`}`));
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        // An error after start (a failed kill) must not go unhandled.
        child.on('error', () => undefined);
        resolve();
      }
    });
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
