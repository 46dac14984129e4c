/**
 * The load generator, run in its own process: signed Cloud API webhook POSTs,
 * one text message each, unique wamids, spread over `customers` senders.
 * Either `amount` requests, or for `seconds` (optionally at `overallRate` requests
 * a second in all). With `handshake`, it prints `ready` once its bodies are made
 * and sends nothing until a line arrives on stdin, so the parent can start its
 * meters at the first request. Prints autocannon's result as one JSON line, with
 * the first request's and the last answer's times in epoch ms (Date.now()), the
 * parent's clock too.
 */
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { z } from 'zod';
import { cloudTextWebhook, metaSignature, webhookPath } from '../test/drills/support';

const argsSchema = z.object({
  url: z.url(),
  accountId: z.string(),
  /** Requests in all; with `seconds`, how many to prepare (more are made as they are needed). */
  amount: z.number().int().positive(),
  /** A load of this many seconds instead of `amount` requests. */
  seconds: z.number().positive().optional(),
  /** Requests a second across all connections (autocannon's overallRate); unset, as fast as answered. */
  overallRate: z.number().positive().optional(),
  connections: z.number().int().positive(),
  customers: z.number().int().positive(),
  /** Makes wamids unique across runs. */
  runId: z.string(),
  /** Timestamps run in order from here over `spanSeconds`, as real traffic does: each message moves its customer's window. */
  firstSecond: z.number().int(),
  spanSeconds: z.number().int().positive(),
  handshake: z.boolean().optional(),
});
const args = argsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

function request(i: number) {
  const n = i + 1;
  const from = String(6281200000000 + (n % args.customers));
  const timestamp = args.firstSecond + Math.min(args.spanSeconds, Math.floor((n * args.spanSeconds) / args.amount));
  const body = cloudTextWebhook([{ wamid: `wamid.bench.${args.runId}.${n}`, from, body: `Hello, message ${n}`, timestamp }]);
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(body) } };
}
/** Bodies and signatures are made before the clock starts, so the generator measures the server, not its own HMACs. */
const prepared = Array.from({ length: args.amount }, (_, i) => request(i));
let next = 0;
// autocannon reports its duration at the next whole-second tick after the last response: timed here instead.
let firstSentAt = 0;
let firstSentEpochMs = 0;
let lastAnsweredAt = 0;
let lastAnsweredEpochMs = 0;

async function main(): Promise<void> {
  if (args.handshake) {
    process.stdout.write('ready\n');
    const lines = readline.createInterface({ input: process.stdin });
    await new Promise<void>((resolve) => lines.once('line', () => resolve()));
    lines.close();
  }
  const result = await autocannon({
    url: args.url,
    connections: args.connections,
    ...(args.seconds === undefined ? { amount: args.amount } : { duration: args.seconds }),
    ...(args.overallRate === undefined ? {} : { overallRate: args.overallRate }),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: webhookPath(args.accountId),
        setupRequest: (req) => {
          if (!firstSentAt) [firstSentAt, firstSentEpochMs] = [performance.now(), Date.now()];
          const i = next++;
          // Unique wamids however long the load runs: never a body sent twice.
          return { ...req, ...(prepared[i] ?? request(i)) };
        },
        onResponse: () => {
          lastAnsweredAt = performance.now();
          lastAnsweredEpochMs = Date.now();
        },
      },
    ],
  });
  process.stdout.write(JSON.stringify({ ...result, duration: (lastAnsweredAt - firstSentAt) / 1000, sent: next, firstSentEpochMs, lastAnsweredEpochMs }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err) + '\n');
  process.exit(1);
});
