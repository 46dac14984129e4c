/**
 * 3. Expiry sweep: the sweep's time with 10k, 100k (and, opt-in, 1M) stored
 * conversations, 100 of them due each time, beside a full-scan baseline.
 * The sweep reads the WindowAlert collection (a document per conversation with an
 * alert pending); BENCH_SWEEP_PENDING_SHARE (0 to 1, default 0) gives that share of
 * the stored, not-yet-due conversations a pending alert too.
 */
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { ConversationModel, WindowAlertModel } from '../src/store/models';
import { runSweep } from '../src/window';
import { BOT_TOKEN, SIGNING_SECRET, seedCloudAccount } from '../test/drills/support';
import { BENCH_KEY, openPhaseDb, phaseDbName, round, type BenchContext } from './lib';

const HOUR = 3_600_000;
const DUE = 100;
const REPEATS = Math.max(1, Number(process.env.BENCH_SWEEP_REPEATS) || 1);
const CHUNK = 5_000;
const SWEEP_BATCH = 50;
const PENDING_SHARE = Math.min(1, Math.max(0, Number(process.env.BENCH_SWEEP_PENDING_SHARE) || 0));

interface Row {
  _id: Types.ObjectId;
  accountId: Types.ObjectId;
  waId: string;
  profileName: string;
  channelId: string;
  lastInboundAt: Date;
  lastInboundPreview: string;
  windowClosesAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

function row(accountId: Types.ObjectId, n: number, now: Date, due: boolean): Row {
  // Not due: closes 3 to 23 hours from now, first warning 2 h before that. Due: closes in 20 minutes.
  const closesAt = new Date(now.getTime() + (due ? 20 * 60_000 : 3 * HOUR + ((n * 7_919) % (20 * HOUR))));
  return {
    _id: new Types.ObjectId(),
    accountId,
    waId: String(6280000000000 + n),
    profileName: `Customer ${n}`,
    channelId: 'C0BENCH',
    lastInboundAt: new Date(closesAt.getTime() - 24 * HOUR),
    lastInboundPreview: 'Hello',
    windowClosesAt: closesAt,
    createdAt: now,
    updatedAt: now,
  };
}

/** The pending alert of a conversation, as recordInbounds writes it (due: its first warning has passed). */
function alertRow(r: Row, now: Date, due: boolean) {
  return {
    _id: r._id,
    accountId: r.accountId,
    waId: r.waId,
    profileName: r.profileName,
    channelId: r.channelId,
    closesAt: r.windowClosesAt,
    warnedThresholds: [],
    closedNotified: false,
    nextAlertAt: due ? new Date(now.getTime() - 60_000) : new Date(r.windowClosesAt.getTime() - 2 * HOUR),
  };
}

async function insertRows(accountId: Types.ObjectId, from: number, to: number, now: Date): Promise<void> {
  for (let start = from; start < to; start += CHUNK) {
    const rows = [];
    for (let n = start; n < Math.min(to, start + CHUNK); n++) rows.push(row(accountId, n, now, false));
    await ConversationModel.collection.insertMany(rows, { ordered: false });
    const pending = rows.filter((_, i) => (i % 1000) < PENDING_SHARE * 1000);
    if (pending.length > 0) await WindowAlertModel.collection.insertMany(pending.map((r) => alertRow(r, now, false)), { ordered: false });
  }
}

interface SizeResult {
  storedConversations: number;
  pendingAlertsStored: number;
  due: number;
  dueHandledPerSweep: number;
  sweepMs: number;
  fullScanBaselineMs: number;
  loadSeconds: number;
  loadRowsPerSecond: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function sweepBench(ctx: BenchContext, sizes: readonly number[]) {
  const dbName = phaseDbName(ctx, 'sweep');
  const database = await openPhaseDb(ctx, dbName);
  const account = await seedCloudAccount(BENCH_KEY, { channelId: 'C0BENCH' });
  const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, DATA_DIR: ctx.tmp });
  const now = new Date();
  const deps = { config, clock: { now: () => now }, logger: createLogger('error', () => undefined) };
  let stored = 0;
  let nextN = 0;
  const results: SizeResult[] = [];
  try {
    for (const size of sizes) {
      const started = performance.now();
      const inserted = Math.max(0, size - stored);
      await insertRows(account._id, nextN, nextN + inserted, now);
      nextN += inserted;
      const loadSeconds = (performance.now() - started) / 1000;
      stored = size;
      ctx.log(`sweep: ${size} conversations stored (loaded in ${round(loadSeconds)} s)`);

      const sweepMs: number[] = [];
      const scanMs: number[] = [];
      let handled = 0;
      for (let r = 0; r < REPEATS; r++) {
        const due = Array.from({ length: DUE }, () => row(account._id, nextN++, now, true));
        await ConversationModel.collection.insertMany(due);
        await WindowAlertModel.collection.insertMany(due.map((r) => alertRow(r, now, true)));
        stored += DUE;
        // Batches of 50: one bulk write of 100 or more updates never returns on the embedded FerretDB 1.24.
        const t = performance.now();
        handled = 0;
        for (;;) {
          const result = await runSweep(deps, { now, batchSize: SWEEP_BATCH });
          handled += result.due;
          if (result.due < SWEEP_BATCH) break;
        }
        sweepMs.push(performance.now() - t);
        const s = performance.now();
        await ConversationModel.countDocuments({ lastInboundPreview: 'a preview nobody wrote' });
        scanMs.push(performance.now() - s);
      }
      ctx.log(`sweep: ${stored} stored, ${handled} due swept in ${round(median(sweepMs))} ms (full scan ${round(median(scanMs))} ms)`);
      results.push({
        storedConversations: stored,
        pendingAlertsStored: await WindowAlertModel.countDocuments(),
        due: DUE,
        dueHandledPerSweep: handled,
        sweepMs: round(median(sweepMs), 1),
        fullScanBaselineMs: round(median(scanMs), 1),
        loadSeconds: round(loadSeconds, 1),
        loadRowsPerSecond: round(inserted / loadSeconds, 0),
      });
    }
    const first = results[0];
    const last = results[results.length - 1];
    return {
      sizes: results,
      ratioLargestToSmallest: first && last ? round(last.sweepMs / first.sweepMs, 2) : undefined,
      fullScanRatioLargestToSmallest: first && last ? round(last.fullScanBaselineMs / first.fullScanBaselineMs, 2) : undefined,
      note: `median of ${REPEATS} measurement(s) per size, each with ${DUE} fresh conversations due (both warnings crossed; ${PENDING_SHARE * 100}% of the others with an alert pending, not yet due), swept in batches of ${SWEEP_BATCH} until none is due; the baseline is an unindexed count over every conversation`,
    };
  } finally {
    await database.close();
  }
}
