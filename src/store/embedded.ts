import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';

export const EMBEDDED_DB_BINARY = path.resolve(__dirname, '..', '..', 'bin', 'embedded-db');

export interface EmbeddedDatabase {
  uri: string;
  /** The database's process, for benchmarks to read its CPU and memory. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts FerretDB on SQLite (tools/embedded-db) with its files in `dir`, on a
 * loopback port (a free one unless given), and resolves once it accepts connections.
 */
export async function startEmbeddedDatabase(
  dir: string,
  options: { port?: number; binary?: string; walLimitBytes?: number } = {},
): Promise<EmbeddedDatabase> {
  const binary = options.binary ?? EMBEDDED_DB_BINARY;
  if (!fs.existsSync(binary)) {
    throw new Error(`the embedded database is not built (${binary} is missing): run "npm run build:db", or set MONGODB_URI`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = options.port ?? (await freePort());
  const args = ['-dir', dir, '-listen', `127.0.0.1:${port}`, ...(options.walLimitBytes === undefined ? [] : ['-wal-limit', String(options.walLimitBytes)])];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });

  await new Promise<void>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const fail = (why: string) => reject(new Error(`the embedded database did not start: ${why}\n${stderr.join('')}`));
    const timer = setTimeout(() => fail('no answer within 20 s'), 20_000);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => fail(`it exited with code ${code}`));
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        resolve();
      }
    });
  });

  return { uri: `mongodb://127.0.0.1:${port}/`, pid: child.pid ?? 0, stop: () => stopChild(child) };
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
