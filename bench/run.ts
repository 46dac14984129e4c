/**
 * `npm run bench`: every figure beside its baseline, measured in the same run,
 * printed and written to bench/results/<phase>.json. Not a test: nothing is gated.
 *
 * BENCH_ONLY=ingest,e2e,sweep,memory,statuses   phases to run (default all)
 * BENCH_INGEST_SECONDS=10              length of the sustained ingest load (and of the bare Koa ceiling's)
 * BENCH_INGEST_REQUESTS=n              instead, that many requests per ingest run (and for the bare Koa ceiling)
 * BENCH_STEADY_SECONDS=60              then a steady load at 80% of the sustained rate, its journal backlog
 *                                      counted every second; 0 skips it
 * BENCH_CONNECTIONS=32                 keep-alive connections of the ingest load generator (memory runs: 10 unless set)
 * BENCH_CUSTOMERS=300                  distinct customers (conversations) in the load
 * BENCH_INGEST_UNPACED=1               the ingest phase's service posts to Slack unpaced (as before), to compare
 * BENCH_E2E_SECONDS=10                 length of each end-to-end run (then a busy-channel run of 5 s)
 * BENCH_E2E_RATES=50,20                their messages per second
 * BENCH_MEMORY_MESSAGES=5000           messages per memory run, sent in bursts of 10,000 at most (the issue asks 100,000)
 * BENCH_MEMORY_RUNS=2                 how many times the memory run is repeated
 * BENCH_SWEEP_SIZES=1000,10000         stored conversations to sweep over (100000 and 1000000 are opt-in)
 * BENCH_STATUS_MESSAGES=10000         messages sent whose delivered and read statuses the statuses phase ingests
 * BENCH_DB_BINARY=path                 another build of the embedded database to compare
 * BENCH_PROF=dir                       write the service's CPU profile (node --cpu-prof) there
 * EMBEDDED_DB_CPUPROFILE=file          write the embedded database's CPU profile (go tool pprof) there
 * MONGODB_URI=mongodb://...            run against that server instead of the embedded database (a database
 *                                      of its own for each phase, dropped after it)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedDatabase } from '../src/store/embedded';
import { startFakeSlack } from '../test/fakes/slack-server';
import { e2eBench } from './e2e';
import { ingestBench } from './ingest';
import { describeServer, round, writeResult, type BenchContext } from './lib';
import { memoryBench } from './memory';
import { statusesBench } from './statuses';
import { sweepBench } from './sweep';

const env = process.env;
const num = (name: string, fallback: number) => {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const list = (name: string, fallback: number[]) => {
  const values = (env[name] ?? '').split(',').map(Number).filter((n) => Number.isFinite(n) && n > 0);
  return values.length > 0 ? values : fallback;
};
const phases = new Set((env.BENCH_ONLY ?? 'ingest,e2e,sweep,memory,statuses').split(',').map((s) => s.trim()));
const load = { amount: num('BENCH_INGEST_REQUESTS', 3000), connections: num('BENCH_CONNECTIONS', 10), customers: num('BENCH_CUSTOMERS', 300) };
/** The sustained load: 32 keep-alive connections for 10 s, unless a number of requests is asked for. */
const ingestLoad = {
  ...load,
  connections: num('BENCH_CONNECTIONS', 32),
  ...(env.BENCH_INGEST_REQUESTS ? {} : { seconds: num('BENCH_INGEST_SECONDS', 10) }),
  steadySeconds: env.BENCH_STEADY_SECONDS === undefined ? 60 : Math.max(0, Number(env.BENCH_STEADY_SECONDS) || 0),
};

/** MONGODB_URI's server, or an embedded database of the run's own. */
async function benchDatabase(tmp: string): Promise<{ uri: string; label: string; pid?: number; stop(): Promise<void> }> {
  if (env.MONGODB_URI) {
    return { uri: env.MONGODB_URI, ...(await describeServer(env.MONGODB_URI)), stop: async () => undefined };
  }
  const db = await startEmbeddedDatabase(path.join(tmp, 'db'), env.BENCH_DB_BINARY ? { binary: env.BENCH_DB_BINARY } : {});
  return { ...db, label: 'embedded FerretDB (SQLite) over loopback' };
}

async function main(): Promise<void> {
  const started = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-bench-'));
  const db = await benchDatabase(tmp);
  const slack = await startFakeSlack();
  const log = (line: string) => process.stdout.write(`[${round((performance.now() - started) / 1000)} s] ${line}\n`);
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(2).toString('hex')}`;
  const ctx: BenchContext = { dbUri: db.uri, dbPid: db.pid, embedded: !env.MONGODB_URI, runId, tmp, slack, log };
  const show = (name: string, result: Record<string, unknown>) => {
    const file = writeResult(name, db.label, result);
    process.stdout.write(`\n== ${name} (${path.relative(process.cwd(), file)})\n${JSON.stringify(result, null, 2)}\n\n`);
  };
  try {
    if (phases.has('ingest')) show('ingest', await ingestBench(ctx, ingestLoad));
    if (phases.has('e2e')) {
      // The load, 50 msgs/s over 50 conversations (each in a channel of its own), then lighter ones.
      for (const perSecond of list('BENCH_E2E_RATES', [50, 20])) {
        show(`e2e-${perSecond}-per-second`, await e2eBench(ctx, { perSecond, conversations: 50, channels: 50, seconds: num('BENCH_E2E_SECONDS', 10) }));
      }
      // One channel busier than Slack lets anyone post: how the outbox paces it.
      show('e2e-busy-channel', await e2eBench(ctx, { perSecond: 3, conversations: 5, channels: 1, seconds: 5 }));
    }
    if (phases.has('sweep')) {
      const sizes = list('BENCH_SWEEP_SIZES', [1_000, 10_000]);
      show('sweep', { ...(await sweepBench(ctx, sizes)), largerSizes: 'opt-in: BENCH_SWEEP_SIZES=10000,100000,1000000 (loading 1,000,000 conversations takes about 3 minutes, its full-scan baseline 1.5)' });
    }
    if (phases.has('memory')) show('memory', await memoryBench(ctx, { ...load, amount: num('BENCH_MEMORY_MESSAGES', 5_000), runs: num('BENCH_MEMORY_RUNS', 2) }));
    if (phases.has('statuses')) show('statuses', await statusesBench(ctx, { messages: num('BENCH_STATUS_MESSAGES', 10_000), customers: load.customers }));
  } finally {
    await slack.stop();
    await db.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log('done');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
