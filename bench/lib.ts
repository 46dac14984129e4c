/** Plumbing shared by the benchmark phases: child processes, the database, result files. */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import mongoose from 'mongoose';
import { z } from 'zod';
import { openDatabase, type Database } from '../src/store/database';
import { OutboxModel } from '../src/store/models';
import type { FakeSlack } from '../test/fakes/slack-server';
import { BOT_TOKEN, ROOT, SIGNING_SECRET, cpuSecondsOf, startChildService, type ChildService } from '../test/drills/support';

/** Fixed, so the bench can seal an account's secrets before the service starts. */
export const BENCH_KEY = crypto.createHash('sha256').update('wadesk bench key').digest();

export interface BenchContext {
  /** Embedded database server, without a database name (ends with `/`). */
  dbUri: string;
  /** The embedded database's process. */
  dbPid: number;
  tmp: string;
  slack: FakeSlack;
  log(line: string): void;
}

/** Connects this process to the phase's own database (its indexes built, as the service builds them). */
export async function openPhaseDb(ctx: BenchContext, dbName: string): Promise<Database> {
  return openDatabase({ uri: ctx.dbUri, dataDir: ctx.tmp, dbName });
}

export async function startPhaseService(ctx: BenchContext, dbName: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildService> {
  return startChildService({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: ctx.slack.apiUrl,
    MONGODB_URI: `${ctx.dbUri}${dbName}`,
    ENCRYPTION_KEY: BENCH_KEY.toString('base64'),
    DATA_DIR: fs.mkdtempSync(path.join(ctx.tmp, 'data-')),
    LOG_LEVEL: 'error',
    ...extraEnv,
  }, { nodeArgs: [...nodeArgs, ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])] });
}

/**
 * CPU the service and the database spend per message, from now until `per` is called: a figure that
 * depends far less on how busy the machine is than the latencies do, to compare builds by.
 */
export function cpuMeter(ctx: BenchContext, service: ChildService) {
  const pids = { service: service.child.pid ?? 0, database: ctx.dbPid };
  const start = { service: cpuSecondsOf(pids.service), database: cpuSecondsOf(pids.database) };
  return {
    per(messages: number) {
      const ms = (pid: number, from: number) => round(((cpuSecondsOf(pid) - from) * 1000) / Math.max(1, messages), 2);
      return { service: ms(pids.service, start.service), database: ms(pids.database, start.database) };
    },
  };
}

const serverStatus = z.object({ metrics: z.object({ commands: z.record(z.object({ total: z.number() })) }).optional() });

/** Commands the database has answered so far, by name (FerretDB counts them; a server that does not gives none). */
async function commandCounts(): Promise<Map<string, number>> {
  const db = mongoose.connection.db;
  if (!db) return new Map();
  const status = serverStatus.parse(await db.admin().command({ serverStatus: 1 }));
  return new Map(Object.entries(status.metrics?.commands ?? {}).map(([name, { total }]) => [name, total]));
}

/**
 * Database commands per message, from now until `per` is called, in all and by name: unlike time, the
 * same on a fast machine and a slow one, so it shows what a change saves.
 */
export async function commandMeter() {
  const start = await commandCounts();
  return {
    async per(messages: number) {
      const byName: Record<string, number> = {};
      let total = 0;
      for (const [name, count] of await commandCounts()) {
        const n = count - (start.get(name) ?? 0);
        if (n <= 0 || name === 'serverStatus') continue;
        byName[name] = round(n / Math.max(1, messages), 2);
        total += n;
      }
      return { total: round(total / Math.max(1, messages), 2), ...byName };
    },
  };
}

/** The outbox has nothing left to post. */
export async function outboxPosted(): Promise<boolean> {
  return !(await OutboxModel.exists({ state: 'pending' }));
}

/** Runs a TypeScript script under tsx in its own process and returns its last stdout line as JSON. */
export async function runTsChild(script: string, args: unknown): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', script), JSON.stringify(args)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last = '';
  child.stdout?.on('data', (c: Buffer) => {
    const lines = c.toString().split('\n').filter(Boolean);
    last = lines.length > 0 ? (lines[lines.length - 1] ?? last) : last;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(last) as unknown;
}

/** Starts a long-lived tsx child that prints `ready <port>`; resolves with its port and a stopper. */
export async function startTsServer(script: string): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', script)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^ready (\d+)$/.exec(line);
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function machine() {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    database: 'embedded FerretDB (SQLite) over loopback',
  };
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), machine: machine(), ...data }, null, 2) + '\n');
  return file;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const mib = (bytes: number): number => round(bytes / 2 ** 20);
