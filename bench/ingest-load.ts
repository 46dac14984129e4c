/**
 * The load generator, run in its own process: signed Cloud API webhook POSTs,
 * one text message each, unique wamids, spread over `customers` senders.
 * Prints autocannon's result as one JSON line.
 */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { z } from 'zod';
import { cloudTextWebhook, metaSignature, webhookPath } from '../test/drills/support';

const argsSchema = z.object({
  url: z.url(),
  accountId: z.string(),
  amount: z.number().int().positive(),
  connections: z.number().int().positive(),
  customers: z.number().int().positive(),
  /** Makes wamids unique across runs. */
  runId: z.string(),
  /** Timestamps run in order from here over `spanSeconds`, as real traffic does: each message moves its customer's window. */
  firstSecond: z.number().int(),
  spanSeconds: z.number().int().positive(),
});
const args = argsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

/** Bodies and signatures are made before the clock starts, so the generator measures the server, not its own HMACs. */
const prepared = Array.from({ length: args.amount }, (_, i) => {
  const n = i + 1;
  const from = String(6281200000000 + (n % args.customers));
  const body = cloudTextWebhook([{ wamid: `wamid.bench.${args.runId}.${n}`, from, body: `Hello, message ${n}`, timestamp: args.firstSecond + Math.floor((n * args.spanSeconds) / args.amount) }]);
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body) } };
});
let next = 0;
// autocannon reports its duration at the next whole-second tick after the last response: timed here instead.
let firstSentAt = 0;
let lastAnsweredAt = 0;

async function main(): Promise<void> {
  const result = await autocannon({
    url: args.url,
    connections: args.connections,
    amount: args.amount,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: webhookPath(args.accountId),
        setupRequest: (request) => {
          firstSentAt ||= performance.now();
          return { ...request, ...prepared[next++ % prepared.length] };
        },
        onResponse: () => {
          lastAnsweredAt = performance.now();
        },
      },
    ],
  });
  process.stdout.write(JSON.stringify({ ...result, duration: (lastAnsweredAt - firstSentAt) / 1000 }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err) + '\n');
  process.exit(1);
});
