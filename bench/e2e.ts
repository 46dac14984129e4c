/**
 * 2. End to end: from a webhook's acknowledgement to the matching chat.postMessage
 * at the fake Slack, at a steady rate spread over many conversations of one channel.
 */
import { performance } from 'node:perf_hooks';
import { cloudTextWebhook, percentile, postWebhook, seedCloudAccount, waitFor } from '../test/drills/support';
import type { SlackCall } from '../test/fakes/slack-server';
import { BENCH_KEY, openPhaseDb, round, startPhaseService, type BenchContext } from './lib';

export interface E2eOptions {
  perSecond: number;
  conversations: number;
  seconds: number;
}

const MARKER = /\[e2e:(\d+)\]/;

function markerOf(call: SlackCall): number | undefined {
  const text = `${typeof call.args.text === 'string' ? call.args.text : ''} ${JSON.stringify(call.args.blocks ?? '')}`;
  const m = MARKER.exec(text);
  return m?.[1] ? Number(m[1]) : undefined;
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
  const database = await openPhaseDb(ctx, 'bench_e2e');
  const account = await seedCloudAccount(BENCH_KEY);
  const service = await startPhaseService(ctx, 'bench_e2e');
  ctx.slack.reset();
  try {
    const total = options.perSecond * options.seconds;
    const interval = 1000 / options.perSecond;
    const ackAt = new Map<number, number>();
    const ackLatency: number[] = [];
    let failures = 0;
    const nowSeconds = Math.floor(Date.now() / 1000);
    ctx.log(`e2e: ${total} messages at ${options.perSecond}/s over ${options.conversations} conversations`);

    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const from = String(6281300000000 + (i % options.conversations));
      const body = cloudTextWebhook([{ wamid: `wamid.e2e.${nowSeconds}.${i}`, from, body: `Order question [e2e:${i}]`, timestamp: nowSeconds }]);
      const sentAt = performance.now();
      sends.push(
        postWebhook(service.url, account.id, body).then(
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
    const sendingSeconds = (performance.now() - t0) / 1000;

    const delivered = () => new Set(ctx.slack.posts().map(markerOf).filter((m) => m !== undefined)).size;
    await waitFor(() => delivered() >= ackAt.size, 60_000, 100);

    const posts = ctx.slack.posts();
    const latencies: number[] = [];
    const seen = new Map<number, number>();
    for (const call of posts) {
      const i = markerOf(call);
      if (i === undefined) continue;
      seen.set(i, (seen.get(i) ?? 0) + 1);
      const acked = ackAt.get(i);
      if (acked !== undefined && seen.get(i) === 1) latencies.push(call.at - acked);
    }
    latencies.sort((a, b) => a - b);
    ackLatency.sort((a, b) => a - b);
    const byChannel = new Map<string, number[]>();
    for (const call of posts) {
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
      load: { ...options, messages: total, sendingSeconds: round(sendingSeconds, 2) },
      acknowledged: ackAt.size,
      failedRequests: failures,
      delivered: latencies.length,
      duplicated: [...seen.values()].filter((n) => n > 1).length,
      ackToPostMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies[latencies.length - 1] ?? NaN) },
      baselineRequestToAckMs: { p50: round(percentile(ackLatency, 50)), p99: round(percentile(ackLatency, 99)) },
      pacing: { chatPostMessageCalls: posts.length, channels, slackLimit: 'about 1 message per second per channel, with bursts' },
      target: { p50Ms: 100 },
    };
  } finally {
    await service.stop();
    await database.close();
  }
}
