/**
 * 2. End to end: from a webhook's acknowledgement to the matching chat.postMessage
 * at the fake Slack, at a steady rate over many conversations, with the fake
 * enforcing Slack's per-channel limit (429 beyond it) and the service pacing itself.
 *
 * First every conversation writes once (a cold start: new conversations, new threads,
 * a fresh process), reported on its own; then the measured load runs on open threads.
 */
import { performance } from 'node:perf_hooks';
import { MessageModel } from '../src/store/models';
import { cloudTextWebhook, percentile, postWebhook, seedCloudAccount, waitFor, type SeededAccount } from '../test/drills/support';
import type { SlackCall } from '../test/fakes/slack-server';
import { BENCH_KEY, commandMeter, cpuMeter, openPhaseDb, phaseDbName, round, startPhaseService, type BenchContext } from './lib';

export interface E2eOptions {
  perSecond: number;
  conversations: number;
  seconds: number;
  /** Slack channels the conversations are spread over (one WhatsApp account each). */
  channels: number;
}

/** Slack's chat.postMessage limit as the fake enforces it: about 1 a second per channel, bursts allowed, a little margin for jitter. */
const SLACK_CHANNEL_LIMIT = { perSecond: 1.25, burst: 4, retryAfterSeconds: 1 };

const MARKER = /\[e2e:(\w+):(\d+)\]/;

function markerOf(call: SlackCall, phase: string): number | undefined {
  const m = MARKER.exec(`${typeof call.args.text === 'string' ? call.args.text : ''} ${JSON.stringify(call.args.blocks ?? '')}`);
  return m?.[1] === phase && m[2] ? Number(m[2]) : undefined;
}

/** Most posts any one channel received within a sliding second. */
function peakPerSecond(times: readonly number[]): number {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

export async function e2eBench(ctx: BenchContext, options: E2eOptions) {
  const dbName = phaseDbName(ctx, `e2e_${options.perSecond}_${options.channels}`);
  const database = await openPhaseDb(ctx, dbName);
  const accounts = await Promise.all(
    Array.from({ length: options.channels }, (_, c) => seedCloudAccount(BENCH_KEY, { channelId: `C0E2E${c}`, name: `E2E ${c}` })),
  );
  const service = await startPhaseService(ctx, dbName);
  ctx.slack.reset();
  ctx.slack.limitChannels(SLACK_CHANNEL_LIMIT);
  try {
    const run = (phase: string, messages: number) => sendAndWatch(ctx, service.url, accounts, { ...options, phase, messages });
    ctx.log(`e2e: cold start, one message in each of ${options.conversations} new conversations at ${options.perSecond}/s`);
    const coldStart = await run('cold', options.conversations);
    const posts = ctx.slack.posts().length;
    ctx.log(`e2e: ${options.perSecond * options.seconds} messages at ${options.perSecond}/s over ${options.conversations} conversations in ${options.channels} channels`);
    const cpu = cpuMeter(ctx, service);
    const commands = await commandMeter();
    const measured = await run('load', options.perSecond * options.seconds);
    const cpuMsPerMessage = cpu.per(measured.figures.delivered);
    const dbCommandsPerMessage = await commands.per(measured.figures.delivered);
    const servicePosts = ctx.slack.posts();
    const baseline = await directPosts(ctx, options.perSecond);

    const byChannel = new Map<string, number[]>();
    for (const call of servicePosts.slice(posts)) {
      const channel = String(call.args.channel ?? '');
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), call.at]);
    }
    const channels = [...byChannel.entries()].map(([channel, times]) => ({
      channel,
      posts: times.length,
      peakPostsPerSecond: peakPerSecond(times),
      meanPostsPerSecond: round(times.length / Math.max(0.001, ((times[times.length - 1] ?? 0) - (times[0] ?? 0)) / 1000), 1),
    }));
    return {
      load: { ...options, messages: options.perSecond * options.seconds, sendingSeconds: measured.sendingSeconds },
      ...measured.figures,
      // From the first request until the last post: acknowledging, ingesting, posting.
      cpuMsPerMessage,
      dbCommandsPerMessage,
      baselineDirectPostMs: baseline,
      coldStart: { messages: options.conversations, ...coldStart.figures },
      pacing: {
        chatPostMessageCalls: servicePosts.length,
        rateLimited429: ctx.slack.calls.filter((c) => c.status === 429).length,
        busiestChannels: channels.sort((a, b) => b.peakPostsPerSecond - a.peakPostsPerSecond || b.posts - a.posts).slice(0, 3),
        servicePace: 'SLACK_CHANNEL_POSTS_PER_SECOND=1, SLACK_CHANNEL_BURST=4 (the defaults)',
        fakeSlackLimit: SLACK_CHANNEL_LIMIT,
      },
      target: { p50Ms: 100 },
    };
  } finally {
    await service.stop();
    await database.close();
  }
}

/** The floor: this process posting straight to the fake Slack, one post per conversation's channel, at the same rate. */
async function directPosts(ctx: BenchContext, perSecond: number) {
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const started = performance.now();
    const res = await fetch(`${ctx.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-bench' },
      body: JSON.stringify({ channel: `C0BASE${i}`, text: 'baseline' }),
    });
    await res.arrayBuffer();
    times.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
}

/** Sends `messages` webhooks at the set rate, waits until Slack has them all, and measures ack → post. */
async function sendAndWatch(
  ctx: BenchContext,
  url: string,
  accounts: readonly SeededAccount[],
  options: E2eOptions & { phase: string; messages: number },
) {
  const interval = 1000 / options.perSecond;
  const wamid = (i: number) => `wamid.e2e.${options.phase}.${nowSeconds}.${i}`;
  const ackAt = new Map<number, number>();
  const ackLatency: number[] = [];
  let failures = 0;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < options.messages; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const conversation = i % options.conversations;
    const account = accounts[conversation % accounts.length];
    if (!account) throw new Error('no account');
    const body = cloudTextWebhook([
      {
        wamid: wamid(i),
        from: String(6281300000000 + conversation),
        body: `Order question [e2e:${options.phase}:${i}]`,
        // Sent now, as Meta stamps it: each message moves its conversation's window, as real traffic does.
        timestamp: Math.floor(Date.now() / 1000),
      },
    ]);
    const sentAt = performance.now();
    sends.push(
      postWebhook(url, account.id, body).then(
        async (res) => {
          const at = performance.now();
          await res.arrayBuffer();
          if (res.status !== 200) failures++;
          else {
            ackAt.set(i, at);
            ackLatency.push(at - sentAt);
          }
        },
        () => void failures++,
      ),
    );
  }
  await Promise.all(sends);
  const sendingSeconds = round((performance.now() - t0) / 1000, 2);

  const delivered = () => new Set(ctx.slack.posts().map((c) => markerOf(c, options.phase)).filter((m) => m !== undefined)).size;
  // A paced channel drains at its own rate: allow for that, plus a minute.
  const postsPerChannel = (options.messages + options.conversations) / options.channels;
  await waitFor(() => delivered() >= ackAt.size, 60_000 + (postsPerChannel / SLACK_CHANNEL_LIMIT.perSecond) * 1000, 100);

  // Where the time goes: from the 200 until the message is stored (ingest), and from then until its post.
  // The stored time is the service's wall clock; this process's performance clock is moved onto it.
  const wallOffset = Date.now() - performance.now();
  const stored = await MessageModel.find({ wamid: { $in: [...ackAt.keys()].map(wamid) } }, { wamid: 1, createdAt: 1 }).lean();
  const storedAt = new Map(stored.map((m) => [m.wamid, m.createdAt.getTime() - wallOffset]));
  const latencies: number[] = [];
  const toStored: number[] = [];
  const storedToPost: number[] = [];
  const seen = new Map<number, number>();
  for (const call of ctx.slack.posts()) {
    const i = markerOf(call, options.phase);
    if (i === undefined) continue;
    seen.set(i, (seen.get(i) ?? 0) + 1);
    const acked = ackAt.get(i);
    if (acked === undefined || seen.get(i) !== 1) continue;
    latencies.push(call.at - acked);
    const at = storedAt.get(wamid(i));
    if (at === undefined) continue;
    toStored.push(at - acked);
    storedToPost.push(call.at - at);
  }
  const spread = (values: number[]) => {
    values.sort((a, b) => a - b);
    return { p50: round(percentile(values, 50)), p99: round(percentile(values, 99)) };
  };
  return {
    sendingSeconds,
    figures: {
      acknowledged: ackAt.size,
      failedRequests: failures,
      delivered: latencies.length,
      duplicated: [...seen.values()].filter((n) => n > 1).length,
      ackToPostMs: { ...spread(latencies), max: round(latencies.length > 0 ? Math.max(...latencies) : NaN) },
      requestToAckMs: spread(ackLatency),
      ackToStoredMs: spread(toStored),
      storedToPostMs: spread(storedToPost),
    },
  };
}
