/**
 * 1. Webhook ingest: sustained (from the first request until the last acknowledged message is stored), then a
 * steady load at 80% of that, against a bare Koa ceiling under the same load in the same run.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { performance } from 'node:perf_hooks';
import { journalEntries, MessageModel, OutboxModel } from '../src/store/models';
import { seedCloudAccount } from '../test/drills/support';
import { UNPACED } from '../test/helpers/unpaced';
import { BENCH_KEY, commandMeter, cpuMeter, openPhaseDb, phaseDbName, round, runTsChild, startPhaseService, startTsServer, type BenchContext } from './lib';

const histogram = z.object({ p50: z.number(), p99: z.number(), max: z.number(), average: z.number() });
const resultSchema = z.object({
  latency: histogram,
  requests: z.object({ average: z.number() }),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  '2xx': z.number(),
  duration: z.number(),
  /** When the first request was sent and the last answer came, in epoch ms: this process's clock too. */
  firstSentEpochMs: z.number(),
  lastAnsweredEpochMs: z.number(),
});
export type LoadResult = z.infer<typeof resultSchema>;

export interface LoadOptions {
  /** Requests in all, unless `seconds` is set. */
  amount: number;
  connections: number;
  customers: number;
  /** A load of this long instead of `amount` requests. */
  seconds?: number;
  /** Requests a second in all (autocannon's overallRate); unset, as fast as answered. */
  overallRate?: number;
}

export interface IngestOptions extends LoadOptions {
  /** The steady load's length, at 80% of the sustained rate, after the sustained run; 0 skips it. */
  steadySeconds: number;
}

const HOUR = 3_600;
/** Each load's messages are an hour later than the last load's, and all within the 24-hour window. */
let nextFirstSecond = Math.floor(Date.now() / 1000) - 12 * HOUR;

/**
 * Drives one load run from a separate process; its messages span `spanSeconds` of WhatsApp time.
 * With `beforeStart`, that runs once the generator is ready, just before its first request.
 */
export async function load(url: string, accountId: string, options: LoadOptions, spanSeconds = HOUR, beforeStart?: () => Promise<void> | void): Promise<LoadResult> {
  const firstSecond = nextFirstSecond;
  nextFirstSecond += spanSeconds;
  // A timed load's bodies are made beforehand for this many requests a second (more are made as needed,
  // at the generator's cost: the bare Koa server answered up to 9,000 a second over 32 connections).
  const amount = options.seconds === undefined ? options.amount : Math.ceil(options.seconds * (options.overallRate ?? 12_000));
  const args = { url, accountId, ...options, amount, runId: crypto.randomBytes(4).toString('hex'), firstSecond, spanSeconds };
  return resultSchema.parse(await runTsChild('ingest-load.ts', args, beforeStart));
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls until the journal is empty (every acknowledged delivery stored, its window moved and its posts
 * queued: an entry goes only then) and answers when, in epoch ms; undefined when its first entry did not
 * change for `stallMs`. It asks with `exists`, about a millisecond on either database: the embedded one
 * answers a count by reading every entry, CPU the service is being measured on.
 */
async function journalEmpty(everyMs: number, stallMs = 120_000): Promise<number | undefined> {
  let first = '';
  let since = performance.now();
  for (;;) {
    const entry = await journalEntries().exists({});
    if (!entry) return Date.now();
    const id = String(entry._id);
    if (id !== first) [first, since] = [id, performance.now()];
    else if (performance.now() - since > stallMs) return undefined;
    await sleep(everyMs);
  }
}

/** Waits until the journal is empty, or ingest stalls. */
async function waitForIngest(): Promise<void> {
  await journalEmpty(250);
}

/**
 * The journal's entries, as cheaply as each database allows. MongoDB keeps the count (`estimatedDocumentCount`);
 * the embedded FerretDB answers it, and `countDocuments({})`, by reading every entry (about 40 µs of its CPU
 * an entry on this machine: 80 ms at 2,000, 1.2 s at 30,000), so there it counts up to `cap` and stops,
 * unless asked for the `full` count.
 */
function backlogCounter(ctx: BenchContext, cap: number): (full: boolean) => Promise<{ entries: number; capped: boolean }> {
  if (!ctx.embedded) return async () => ({ entries: await journalEntries().estimatedDocumentCount(), capped: false });
  return async (full) => {
    const entries = await journalEntries().countDocuments({}, full ? {} : { limit: cap });
    return { entries, capped: !full && entries >= cap };
  };
}

/**
 * Every second from the first request of a load, the journal's entries not yet ingested, until `stop`.
 * Every `fullEvery` seconds, and at the end, the count is not capped (on the embedded database it then
 * costs the database CPU in proportion to the backlog, once in `fullEvery` seconds).
 */
function sampleBacklog(count: (full: boolean) => Promise<{ entries: number; capped: boolean }>, ratePerSecond: number, fullEvery = 10) {
  const samples: { second: number; entries: number; capped: boolean; backlogSeconds: number; countMs: number }[] = [];
  let running = true;
  let startedAt = 0;
  const one = async (second: number, full: boolean) => {
    const t0 = performance.now();
    const { entries, capped } = await count(full);
    samples.push({ second, entries, capped, backlogSeconds: round(entries / ratePerSecond, 2), countMs: round(performance.now() - t0, 1) });
  };
  let loop: Promise<void> = Promise.resolve();
  return {
    samples,
    start() {
      startedAt = performance.now();
      loop = (async () => {
        for (let second = 1; running; second++) {
          await sleep(Math.max(0, startedAt + second * 1000 - performance.now()));
          if (running) await one(second, second % fullEvery === 0);
        }
      })();
    },
    /** Stops sampling and takes one sample more, in full: the backlog as the load ends. */
    async stop() {
      running = false;
      await loop;
      await one(round((performance.now() - startedAt) / 1000, 2), true);
    },
  };
}

/** A load as the result shows it: a timed load's `amount` is only how many bodies were made beforehand. */
function described({ amount, ...rest }: LoadOptions) {
  return rest.seconds === undefined ? { amount, ...rest } : rest;
}

export async function ingestBench(ctx: BenchContext, options: IngestOptions) {
  const dbName = phaseDbName(ctx, 'ingest');
  const database = await openPhaseDb(ctx, dbName);
  const account = await seedCloudAccount(BENCH_KEY);
  // Slack's pace, the service's default: every customer writes into one channel, so the outbox builds a
  // backlog of posts going out at about one a second. It is not waited for; the e2e phases measure posting.
  // BENCH_INGEST_UNPACED=1 posts unpaced instead, as this phase did before, to compare.
  const unpaced = process.env.BENCH_INGEST_UNPACED === '1';
  const service = await startPhaseService(ctx, dbName, unpaced ? UNPACED : {});
  const bare = await startTsServer('bare-koa.ts');
  // An earlier phase may have left the fake enforcing Slack's per-channel limit; the service paces itself.
  ctx.slack.reset();
  const { steadySeconds, ...loadOptions } = options;
  const measured = loadOptions.seconds === undefined ? `${loadOptions.amount} requests` : `${loadOptions.seconds} s`;
  try {
    // One message a customer (their conversations opened) for a timed load, at most 1,000: their posts
    // wait their turns in the paced outbox through the measured runs, as a busy service's would.
    const warmAmount = loadOptions.seconds === undefined ? Math.floor(loadOptions.amount / 10) : loadOptions.customers;
    const warm = { ...loadOptions, seconds: undefined, amount: Math.max(100, Math.min(1_000, warmAmount)) };
    ctx.log(`ingest: warming up (${warm.amount} requests each)`);
    await load(`http://127.0.0.1:${bare.port}`, account.id, warm);
    await load(service.url, account.id, warm);

    ctx.log(`ingest: bare Koa ceiling, ${measured} over ${loadOptions.connections} connections`);
    const ceiling = loadFigures(await load(`http://127.0.0.1:${bare.port}`, account.id, loadOptions));
    await waitForIngest();
    const before = await MessageModel.countDocuments({});
    const postsBefore = ctx.slack.posts().length;

    // Sustained: from the first request until the journal is empty, the last acknowledged message stored.
    ctx.log(`ingest: wadesk sustained, ${measured} over ${loadOptions.connections} connections, then until the journal is empty`);
    let cpu: ReturnType<typeof cpuMeter> | undefined;
    let commands: Awaited<ReturnType<typeof commandMeter>> | undefined;
    const result = await load(service.url, account.id, loadOptions, HOUR, async () => {
      commands = await commandMeter();
      cpu = cpuMeter(ctx, service);
    });
    const ours = loadFigures(result);
    const emptyAt = await journalEmpty(25);
    const endedAt = emptyAt ?? Date.now();
    // Read at that moment, before counting what was stored (a count costs the embedded database CPU).
    const cpuAt = cpu!.take();
    const commandsAt = await commands!.take();
    const stored = (await MessageModel.countDocuments({})) - before;
    const spanSeconds = round((endedAt - result.firstSentEpochMs) / 1000, 3);
    const sustained = round(stored / spanSeconds, 0);
    const postedInSpan = ctx.slack.posts().length - postsBefore;
    ctx.log(`ingest: ${stored} stored in ${spanSeconds} s from the first request: ${sustained} msgs/s`);

    let steady: Record<string, unknown> = { skipped: 'BENCH_STEADY_SECONDS=0' };
    if (steadySeconds > 0 && sustained > 0) {
      const rate = Math.max(1, Math.round(sustained * 0.8));
      ctx.log(`ingest: steady, ${rate} msgs/s (80% of the sustained rate) for ${steadySeconds} s over ${loadOptions.connections} connections`);
      // Counted up to 5 s of work on the embedded database: enough to tell a bounded backlog (under 2 s).
      const cap = Math.max(100, Math.ceil(sustained * 5));
      const sampler = sampleBacklog(backlogCounter(ctx, cap), sustained);
      const steadyBefore = await MessageModel.countDocuments({});
      let steadyCpu: ReturnType<typeof cpuMeter> | undefined;
      let steadyCommands: Awaited<ReturnType<typeof commandMeter>> | undefined;
      const steadyLoad = { ...loadOptions, seconds: steadySeconds, overallRate: rate };
      const steadyRaw = await load(service.url, account.id, steadyLoad, HOUR, async () => {
        steadyCommands = await commandMeter();
        steadyCpu = cpuMeter(ctx, service);
        sampler.start();
      });
      // Over the load's length: autocannon sends a second's requests at the start of that second.
      const steadyResult = { ...loadFigures(steadyRaw), requestsPerSecond: round(steadyRaw['2xx'] / steadySeconds, 0) };
      const steadyCpuAt = steadyCpu!.take();
      const steadyCommandsAt = await steadyCommands!.take();
      await sampler.stop();
      const samples = sampler.samples;
      const max = samples.reduce((m, s) => (s.entries > m.entries ? s : m), samples[0]!);
      const end = samples[samples.length - 1]!;
      const bounded = samples.every((s) => s.backlogSeconds < 2 && !s.capped);
      ctx.log(`ingest: steady backlog max ${max.entries}${max.capped ? '+' : ''} entries (${max.backlogSeconds} s), at end ${end.entries}; waiting for the journal`);
      const drainedAt = await journalEmpty(25);
      const steadyStored = (await MessageModel.countDocuments({})) - steadyBefore;
      steady = {
        load: { ...described(steadyLoad), of: 'sustainedMessagesPerSecond × 0.8' },
        acks: steadyResult,
        backlog: {
          maxEntries: max.entries,
          maxSeconds: max.backlogSeconds,
          ...(max.capped ? { maxIsAtLeast: true } : {}),
          atEndEntries: end.entries,
          atEndSeconds: end.backlogSeconds,
          bounded,
          countedWith: ctx.embedded
            ? `countDocuments({}, { limit: ${cap} }) every second, and countDocuments({}) every 10 s and at the end (the embedded database reads every entry to count)`
            : 'estimatedDocumentCount() every second',
          countMsMean: round(samples.reduce((t, s) => t + s.countMs, 0) / Math.max(1, samples.length), 1),
          countMsMax: Math.max(...samples.map((s) => s.countMs)),
          // Entries at 1 s, 2 s… from the first request, the last as the load ended; '+' where the count stopped at its cap.
          everySecond: samples.map((s) => (s.capped ? `${s.entries}+` : s.entries)),
        },
        storedMessages: steadyStored,
        lost: Math.max(0, steadyResult.acknowledged - steadyStored),
        journalEmptyAfterLoadSeconds: drainedAt === undefined ? 'stalled' : round((drainedAt - steadyRaw.lastAnsweredEpochMs) / 1000, 2),
        // Over the load only (its backlog counts included), per acknowledged message.
        cpuMsPerMessage: steadyCpuAt.per(steadyResult.acknowledged),
        dbCommandsPerMessage: steadyCommandsAt.per(steadyResult.acknowledged),
        targets: { backlogSeconds: 2 },
      };
    }

    const pendingPosts = await OutboxModel.countDocuments({ state: 'pending' });
    const postedInPhase = ctx.slack.posts().length - postsBefore;
    const stopStarted = performance.now();
    await service.stop();
    const serviceStopMs = round(performance.now() - stopStarted, 0);
    return {
      load: { ...described(loadOptions), body: 'one signed Cloud API text message per POST, unique wamids, keep-alive connections' },
      wadesk: {
        sustainedMessagesPerSecond: sustained,
        span: {
          seconds: spanSeconds,
          loadSeconds: ours.seconds,
          drainSeconds: round((endedAt - result.lastAnsweredEpochMs) / 1000, 3),
          ...(emptyAt === undefined ? { stalled: true } : {}),
        },
        storedMessages: stored,
        lost: Math.max(0, ours.acknowledged - stored),
        acks: ours,
        // From the first request until the journal is empty: acknowledging, ingesting, queueing posts (and posting, at Slack's pace).
        cpuMsPerMessage: cpuAt.per(stored),
        // The bench's own polls for "journal empty" (every 25 ms after the load) are among them.
        dbCommandsPerMessage: commandsAt.per(stored),
        postedInSpan,
      },
      steady,
      bareKoa: ceiling,
      ratioToCeiling: round(ours.requestsPerSecond / ceiling.requestsPerSecond, 3),
      outbox: { pacing: unpaced ? 'unpaced (BENCH_INGEST_UNPACED=1)' : 'Slack\'s pace, the service\'s default', postedInPhase, pendingAtEnd: pendingPosts, serviceStopMs },
      targets: { sustainedMessagesPerSecond: ctx.embedded ? 1000 : 1500, p99Ms: 50, errors: 0, lost: 0 },
      note:
        'sustainedMessagesPerSecond is the messages stored over the span from the first request to the moment the journal is empty (every acknowledged message stored in its conversation, its window moved and its Slack post queued), in the load generator\'s and this process\'s clock (epoch ms); CPU and database commands per message are read at that moment. ' +
        (unpaced
          ? 'Posting was unpaced (BENCH_INGEST_UNPACED=1), every customer into one channel, competing for the cores; the outbox is not waited for. '
          : 'Posting is paced as Slack allows (about 1 post/s per channel; every customer here writes into one channel), so the outbox holds a backlog at the end, which is not waited for: posting is measured by the e2e phases. ') +
        'steady is a rate-limited load at 80% of the sustained figure with the journal\'s backlog counted every second; bounded means it stayed under 2 s of work (entries / sustained rate). bareKoa is the same load against a bare Koa server.',
    };
  } finally {
    await bare.stop();
    await service.stop();
    await database.close();
  }
}
