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
import { journalEntries, OutboxModel } from '../src/store/models';
import { uriWithDatabase } from '../src/store/uri';
import type { FakeSlack } from '../test/fakes/slack-server';
import { BOT_TOKEN, ROOT, SIGNING_SECRET, cpuSecondsOf, startChildService, type ChildService } from '../test/drills/support';

/** Fixed, so the bench can seal an account's secrets before the service starts. */
export const BENCH_KEY = crypto.createHash('sha256').update('wadesk bench key').digest();

export interface BenchContext {
  /** The database server (the embedded one, or MONGODB_URI's); each phase uses a database of its own on it. */
  dbUri: string;
  /** The server's process, when it runs on this machine (its CPU is read from /proc). */
  dbPid?: number;
  /** The embedded database (FerretDB), not MONGODB_URI's server: some queries cost it more (a count reads every document). */
  embedded: boolean;
  /** Tells this run's databases from earlier runs' on a server that keeps them. */
  runId: string;
  tmp: string;
  slack: FakeSlack;
  log(line: string): void;
}

const serverFacts = z.object({ host: z.string(), version: z.string(), pid: z.number() });

/** MONGODB_URI's server: its version, and its process when it runs on this machine. */
export async function describeServer(uri: string): Promise<{ label: string; pid?: number }> {
  const client = await mongoose.mongo.MongoClient.connect(uri);
  try {
    const facts = serverFacts.parse(await client.db('admin').command({ serverStatus: 1 }));
    const here = facts.host.split(':')[0] === os.hostname() && fs.existsSync(`/proc/${facts.pid}/stat`);
    return { label: `MongoDB ${facts.version} at ${facts.host}`, ...(here ? { pid: facts.pid } : {}) };
  } finally {
    await client.close();
  }
}

/** The database of `phase` in this run. */
export function phaseDbName(ctx: BenchContext, phase: string): string {
  return `bench_${phase}_${ctx.runId}`;
}

/**
 * Connects this process to the phase's own database (its indexes built, as the service builds them).
 * Closing drops it and its journal's: on MONGODB_URI's server nothing else would.
 */
export async function openPhaseDb(ctx: BenchContext, dbName: string): Promise<Database> {
  const database = await openDatabase({ uri: ctx.dbUri, dataDir: ctx.tmp, dbName });
  return {
    ping: (timeoutMs) => database.ping(timeoutMs),
    check: (timeoutMs) => database.check(timeoutMs),
    downForMs: () => database.downForMs(),
    async close() {
      await Promise.all([mongoose.connection.dropDatabase(), journalEntries().db.dropDatabase()]);
      await database.close();
    },
  };
}

export async function startPhaseService(ctx: BenchContext, dbName: string, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ChildService> {
  return startChildService({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: ctx.slack.apiUrl,
    MONGODB_URI: uriWithDatabase(ctx.dbUri, dbName),
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
  const servicePid = service.child.pid ?? 0;
  const dbPid = ctx.dbPid;
  const read = () => ({ service: cpuSecondsOf(servicePid), database: dbPid === undefined ? 0 : cpuSecondsOf(dbPid) });
  const start = read();
  const perOf = (end: { service: number; database: number }) => (messages: number) => {
    const ms = (to: number, from: number) => round(((to - from) * 1000) / Math.max(1, messages), 2);
    return { service: ms(end.service, start.service), ...(dbPid === undefined ? {} : { database: ms(end.database, start.database) }) };
  };
  return {
    per: (messages: number) => perOf(read())(messages),
    /** Reads the CPU spent until now, to divide later by what was done by then (counting may cost CPU too). */
    take: () => ({ per: perOf(read()) }),
  };
}

// MongoDB counts commands it does not know under `<UNKNOWN>`, a plain number: only counters with a total are read.
const serverStatus = z.object({ metrics: z.object({ commands: z.record(z.string(), z.unknown()) }).optional() });
const commandCounter = z.object({ total: z.number() });

/** Commands the database has answered so far, by name (FerretDB and MongoDB count them; a server that does not gives none). */
async function commandCounts(): Promise<Map<string, number>> {
  const db = mongoose.connection.db;
  if (!db) return new Map();
  const status = serverStatus.parse(await db.admin().command({ serverStatus: 1 }));
  const counts = new Map<string, number>();
  for (const [name, counter] of Object.entries(status.metrics?.commands ?? {})) {
    const parsed = commandCounter.safeParse(counter);
    if (parsed.success) counts.set(name, parsed.data.total);
  }
  return counts;
}

/**
 * Database commands per message, from now until `per` is called, in all and by name: unlike time, the
 * same on a fast machine and a slow one, so it shows what a change saves.
 */
export async function commandMeter() {
  const start = await commandCounts();
  const perOf = (end: Map<string, number>) => (messages: number) => {
    const byName: Record<string, number> = {};
    let total = 0;
    for (const [name, count] of end) {
      const n = count - (start.get(name) ?? 0);
      if (n <= 0 || name === 'serverStatus') continue;
      byName[name] = round(n / Math.max(1, messages), 2);
      total += n;
    }
    return { total: round(total / Math.max(1, messages), 2), ...byName };
  };
  return {
    async per(messages: number) {
      return perOf(await commandCounts())(messages);
    },
    /** Reads the commands answered until now, to divide later by what was done by then. */
    async take() {
      return { per: perOf(await commandCounts()) };
    },
  };
}

/** The outbox has nothing left to post. */
export async function outboxPosted(): Promise<boolean> {
  return !(await OutboxModel.exists({ state: 'pending' }));
}

/**
 * Runs a TypeScript script under tsx in its own process and returns its last stdout line as JSON.
 * With `beforeStart`, the script is run with `handshake`: once it prints `ready`, `beforeStart` runs
 * and the script is told to go.
 */
export async function runTsChild(script: string, args: unknown, beforeStart?: () => Promise<void> | void): Promise<unknown> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', script), JSON.stringify(beforeStart ? { ...(args as object), handshake: true } : args)], {
    cwd: ROOT,
    stdio: [beforeStart ? 'pipe' : 'ignore', 'pipe', 'inherit'],
  });
  let last = '';
  let started: Promise<void> = Promise.resolve();
  const lines = readline.createInterface({ input: child.stdout! });
  // The last line may still be in the pipe when the process exits.
  const read = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (line) => {
    if (!line) return;
    if (beforeStart && line === 'ready') {
      started = (async () => {
        try {
          await beforeStart();
        } finally {
          child.stdin?.end('go\n');
        }
      })();
      return;
    }
    last = line;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  await started;
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  await read;
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

export function machine(database: string) {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    database,
  };
}

export function writeResult(name: string, database: string, data: Record<string, unknown>): string {
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), machine: machine(database), ...data }, null, 2) + '\n');
  return file;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const mib = (bytes: number): number => round(bytes / 2 ** 20);
