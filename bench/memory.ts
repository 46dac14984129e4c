/** 4. Memory: RSS of the service after ingesting N messages, and after the same run again. */
import { journalEntries, MessageModel, OutboxModel } from '../src/store/models';
import { rssOf, seedCloudAccount, waitFor } from '../test/drills/support';
import { memoryAfterCollection, inspectorUrl } from './heap';
import { load, loadFigures, type LoadOptions } from './ingest';
import { BENCH_KEY, mib, openPhaseDb, phaseDbName, outboxPosted, round, startPhaseService, type BenchContext } from './lib';
import { UNPACED } from '../test/helpers/unpaced';

/** Messages sent at once; the journal holds up to 50,000 before it refuses more. */
const BURST = 10_000;

export async function memoryBench(ctx: BenchContext, options: LoadOptions & { runs: number }) {
  const dbName = phaseDbName(ctx, 'memory');
  const database = await openPhaseDb(ctx, dbName);
  const account = await seedCloudAccount(BENCH_KEY);
  // As in ingest: one channel, delivery unpaced.
  // Its inspector collects garbage on request, so the heap the service still holds can be read beside RSS.
  const service = await startPhaseService(ctx, dbName, UNPACED, ['--inspect=127.0.0.1:0']);
  const inspector = inspectorUrl(service.output);
  const pid = service.child.pid ?? 0;
  // An earlier phase may have left the fake enforcing Slack's per-channel limit; this phase posts unpaced.
  ctx.slack.reset();
  try {
    await new Promise((r) => setTimeout(r, 1_000));
    const idle = rssOf(pid);
    const idleHeap = await memoryAfterCollection(inspector);
    const runs = [];
    for (let run = 1; run <= options.runs; run++) {
      ctx.log(`memory: run ${run}, ${options.amount} messages in bursts of at most ${BURST}`);
      const bursts = [];
      let drainStarted = Date.now();
      for (let sent = 0; sent < options.amount; sent += BURST) {
        // Each burst waits for the last one's ingest: more than the journal may hold at once would be refused (503).
        await waitFor(async () => !(await journalEntries().exists({})), 30 * 60_000, 1_000);
        bursts.push(loadFigures(await load(service.url, account.id, { ...options, amount: Math.min(BURST, options.amount - sent) }, 360)));
        drainStarted = Date.now();
      }
      // Read at rest: once everything is ingested and posted, as it would be between bursts.
      const atRest = async () => !(await journalEntries().exists({})) && (await outboxPosted());
      await waitFor(atRest, 30 * 60_000, 1_000);
      const drainSeconds = round((Date.now() - drainStarted) / 1000);
      await new Promise((r) => setTimeout(r, 2_000));
      const figures = {
        requestsPerSecond: round(bursts.reduce((sum, b) => sum + b.requestsPerSecond, 0) / bursts.length, 0),
        errors: bursts.reduce((sum, b) => sum + b.errors, 0),
      };
      const rss = rssOf(pid);
      const heap = await memoryAfterCollection(inspector);
      ctx.log(`memory: run ${run} done (${figures.requestsPerSecond} msgs/s acknowledged, the last burst ingested and posted ${drainSeconds} s later), RSS ${mib(rss)} MiB, after a full collection ${mib(heap.rss)} MiB with ${mib(heap.heapUsed)} MiB of heap in use`);
      runs.push({
        run,
        rssMiB: mib(rss),
        rssAfterCollectionMiB: mib(heap.rss),
        heapTotalMiB: mib(heap.heapTotal),
        heapUsedMiB: mib(heap.heapUsed),
        externalMiB: mib(heap.external),
        requestsPerSecond: figures.requestsPerSecond,
        drainSeconds,
        errors: figures.errors,
        storedTotal: await MessageModel.countDocuments({}),
        outboxPending: await OutboxModel.countDocuments({ state: 'pending' }),
        journaled: await journalEntries().countDocuments({}),
      });
    }
    const [first, second] = runs;
    return {
      messagesPerRun: options.amount,
      burst: Math.min(BURST, options.amount),
      idleRssMiB: mib(idle),
      idleHeapUsedMiB: mib(idleHeap.heapUsed),
      runs,
      growthMiB: first && second ? round(second.rssMiB - first.rssMiB) : undefined,
      growthAfterCollectionMiB: first && second ? round(second.rssAfterCollectionMiB - first.rssAfterCollectionMiB) : undefined,
      heapUsedGrowthMiB: first && second ? round(second.heapUsedMiB - first.heapUsedMiB) : undefined,
      note: 'RSS of the service process (node dist/main.js), read from /proc 2 s after each run once its journal is ingested and its outbox has posted everything to the fake Slack (a run is sent in bursts, each once the last is ingested); the baseline is its idle RSS after start. Then the service, through its inspector, collects garbage and reads process.memoryUsage(): rssAfterCollection is RSS without the garbage of the run, heapTotal what V8 keeps for its heap, heapUsed what the service still holds, external its buffers.',
    };
  } finally {
    await service.stop();
    await database.close();
  }
}
