/** 1. Webhook ingest: the real service against a bare Koa ceiling, same load, same run. */
import crypto from 'node:crypto';
import { z } from 'zod';
import { performance } from 'node:perf_hooks';
import { journalEntries, MessageModel } from '../src/store/models';
import { seedCloudAccount, waitFor } from '../test/drills/support';
import { BENCH_KEY, commandMeter, cpuMeter, openPhaseDb, phaseDbName, outboxPosted, round, runTsChild, startPhaseService, startTsServer, type BenchContext } from './lib';
import { UNPACED } from '../test/helpers/unpaced';

const histogram = z.object({ p50: z.number(), p99: z.number(), max: z.number(), average: z.number() });
const resultSchema = z.object({
  latency: histogram,
  requests: z.object({ average: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  '2xx': z.number(),
  duration: z.number(),
});
export type LoadResult = z.infer<typeof resultSchema>;

export interface LoadOptions {
  amount: number;
  connections: number;
  customers: number;
}

const HOUR = 3_600;
/** Each load's messages are an hour later than the last load's, and all within the 24-hour window. */
let nextFirstSecond = Math.floor(Date.now() / 1000) - 12 * HOUR;

/** Drives one load run from a separate process; its messages span `spanSeconds` of WhatsApp time. */
export async function load(url: string, accountId: string, options: LoadOptions, spanSeconds = HOUR): Promise<LoadResult> {
  const firstSecond = nextFirstSecond;
  nextFirstSecond += spanSeconds;
  const raw = await runTsChild('ingest-load.ts', { url, accountId, ...options, runId: crypto.randomBytes(4).toString('hex'), firstSecond, spanSeconds });
  return resultSchema.parse(raw);
}

export function loadFigures(r: LoadResult) {
  const acknowledged = r['2xx'];
  return {
    requestsPerSecond: round(acknowledged / r.duration, 0),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, mean: round(r.latency.average, 2) },
    acknowledged,
    errors: r.errors + r.timeouts + r.non2xx,
    seconds: round(r.duration, 2),
  };
}

/**
 * Waits until the journal is empty (every acknowledged delivery ingested), or ingest stalls for 30 s.
 * It asks cheaply: the embedded database answers a count by reading every entry, CPU the service is being measured on.
 */
async function waitForIngest(): Promise<void> {
  let last = -1;
  let lastChange = performance.now();
  for (let poll = 0; ; poll++) {
    if (!(await journalEntries().exists({}))) return;
    if (poll % 20 === 0) {
      const left = await journalEntries().countDocuments({});
      if (left !== last) [last, lastChange] = [left, performance.now()];
      else if (performance.now() - lastChange > 30_000) return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function ingestBench(ctx: BenchContext, options: LoadOptions) {
  const dbName = phaseDbName(ctx, 'ingest');
  const database = await openPhaseDb(ctx, dbName);
  const account = await seedCloudAccount(BENCH_KEY);
  // Every customer writes into one channel, far beyond Slack's pace: paced, the outbox would only pile up.
  const service = await startPhaseService(ctx, dbName, UNPACED);
  const bare = await startTsServer('bare-koa.ts');
  // An earlier phase may have left the fake enforcing Slack's per-channel limit; this phase posts unpaced.
  ctx.slack.reset();
  try {
    const warm = { ...options, amount: Math.max(100, Math.min(1_000, Math.floor(options.amount / 10))) };
    ctx.log(`ingest: warming up (${warm.amount} requests each)`);
    await load(`http://127.0.0.1:${bare.port}`, account.id, warm);
    await load(service.url, account.id, warm);

    ctx.log(`ingest: bare Koa ceiling, ${options.amount} requests over ${options.connections} connections`);
    const ceiling = loadFigures(await load(`http://127.0.0.1:${bare.port}`, account.id, options));
    await waitForIngest();
    // The warm-up's Slack posts would otherwise still be going out during the measured run.
    await waitFor(outboxPosted, 30 * 60_000, 250);
    const before = await MessageModel.countDocuments({});
    ctx.log(`ingest: wadesk, ${options.amount} requests over ${options.connections} connections`);
    const cpu = cpuMeter(ctx, service);
    const commands = await commandMeter();
    const ours = loadFigures(await load(service.url, account.id, options));
    // Acknowledged means stored in the journal; each entry goes once its message is stored.
    const journaled = await journalEntries().countDocuments({});
    const storedAtEnd = (await MessageModel.countDocuments({})) - before;
    const loadEnded = performance.now();
    ctx.log(`ingest: ${journaled} journaled deliveries still to ingest`);
    await waitForIngest();
    const stored = (await MessageModel.countDocuments({})) - before;
    const drainSeconds = round((performance.now() - loadEnded) / 1000, 2);
    await waitFor(outboxPosted, 30 * 60_000, 250);
    const cpuMsPerMessage = cpu.per(stored);
    const dbCommandsPerMessage = await commands.per(stored);
    return {
      load: { ...options, body: 'one signed Cloud API text message per POST, unique wamids' },
      wadesk: {
        ...ours,
        storedPerSecond: round(Math.min(ours.acknowledged, journaled + storedAtEnd) / ours.seconds, 0),
        storedAtEnd: { journaled, ingested: storedAtEnd },
        ingest: { drainSeconds, messagesPerSecond: round(stored / (ours.seconds + drainSeconds), 0) },
        storedMessages: stored,
        lost: Math.max(0, ours.acknowledged - stored),
        // From the first request until every message is stored and posted (unpaced): acknowledging, ingesting, posting.
        cpuMsPerMessage,
        // The bench's own polls for "all stored" and "all posted" are among them: a few dozen in all.
        dbCommandsPerMessage,
      },
      bareKoa: ceiling,
      ratioToCeiling: round(ours.requestsPerSecond / ceiling.requestsPerSecond, 3),
      targets: { storedPerSecond: 1000, p99Ms: 50, errors: 0, lost: 0 },
      note: 'storedPerSecond counts deliveries durable when acknowledged (journaled or already ingested); ingest.messagesPerSecond is the rate they became conversations and messages, until the last one',
    };
  } finally {
    await bare.stop();
    await service.stop();
    await database.close();
  }
}
