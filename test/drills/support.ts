/**
 * Shared by the fault drills and the benchmarks: a seeded Cloud API account,
 * signed webhook deliveries, and the built service run as a child process.
 */
import { issuedToken } from '../fakes/whatsapp-contract';
import { issuedSlackToken } from '../fakes/strict-slack';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Types } from 'mongoose';
import { z } from 'zod';
import { SecretBox } from '../../src/security/secrets';
import { freePort } from '../../src/store/embedded';
import { AccountModel } from '../../src/store/models';
import type { SlackCall } from '../fakes/slack-server';

export const ROOT = path.resolve(__dirname, '..', '..');

/** `npm start`'s command (the Procfile's too): the drills and the bench run the service as it does. */
export function startCommand(): { flags: string[]; main: string } {
  const pkg = z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')));
  const [node, ...args] = pkg.scripts.start.split(' ');
  const main = args.pop();
  if (node !== 'node' || !main) throw new Error(`npm start runs "${pkg.scripts.start}", not node with a script`);
  return { flags: args, main: path.join(ROOT, main) };
}

export const APP_SECRET = 'drill-app-secret';
export const VERIFY_TOKEN = 'drill-verify-token';
export const WA_TOKEN = issuedToken('EAAG-drill-token');
export const PHONE_NUMBER_ID = '106540352242922';
export const WABA_ID = '419561257915477';
export const CHANNEL_ID = 'C0DRILL';
export const TEAM_ID = 'T0001';
export const BOT_TOKEN = issuedSlackToken('xoxb-drill-bot-token');
export const SIGNING_SECRET = 'drill-signing-secret';

export interface SeededAccount {
  id: string;
  _id: Types.ObjectId;
}

/** A Cloud API account sealed with the running test service's own key, so the service can open it. */
export async function seedServiceAccount(
  service: { deps: { config: { encryptionKey?: Buffer } } },
  options: Parameters<typeof seedCloudAccount>[1] = {},
): Promise<SeededAccount> {
  const key = service.deps.config.encryptionKey;
  if (!key) throw new Error('the test service has no encryption key');
  return seedCloudAccount(key, options);
}

/** A connected, switched-on Cloud API account stored directly, with secrets sealed by `key`. */
export async function seedCloudAccount(
  key: Buffer,
  options: { apiUrl?: string; name?: string; channelId?: string } = {},
): Promise<SeededAccount> {
  const box = new SecretBox(key);
  const name = options.name ?? `Drill ${crypto.randomBytes(3).toString('hex')}`;
  const doc = await AccountModel.create({
    teamId: TEAM_ID,
    name,
    nameKey: name.toLowerCase(),
    kind: 'cloud',
    apiUrl: options.apiUrl ?? 'https://graph.facebook.test/v23.0',
    tokenSealed: box.seal(WA_TOKEN),
    tokenHint: WA_TOKEN.slice(-4),
    phoneNumberId: PHONE_NUMBER_ID,
    wabaId: WABA_ID,
    appSecretSealed: box.seal(APP_SECRET),
    appSecretHint: APP_SECRET.slice(-4),
    verifyTokenSealed: box.seal(VERIFY_TOKEN),
    displayPhoneNumber: '15550783881',
    verifiedName: 'Drill Co',
    channelId: options.channelId ?? CHANNEL_ID,
    enabled: true,
    state: 'connected',
    createdBy: 'U0ADMIN',
  });
  return { id: String(doc._id), _id: doc._id };
}

export interface InboundText {
  wamid: string;
  from: string;
  body: string;
  /** Unix seconds. */
  timestamp: number;
  name?: string;
}

/** Meta's Cloud API delivery of one or more text messages, as in the reference "Text Message" example. */
export function cloudTextWebhook(messages: readonly InboundText[]): string {
  const byCustomer = new Map<string, InboundText[]>();
  for (const m of messages) byCustomer.set(m.from, [...(byCustomer.get(m.from) ?? []), m]);
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [...byCustomer.entries()].map(([from, list]) => ({
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
            contacts: [{ profile: { name: list[0]?.name ?? `Customer ${from}` }, wa_id: from }],
            messages: list.map((m) => ({ from, id: m.wamid, timestamp: String(m.timestamp), type: 'text', text: { body: m.body } })),
          },
        })),
      },
    ],
  });
}

/** Meta's delivery status webhook for one of our outbound messages. */
export function cloudStatusWebhook(wamid: string, status: string, recipient: string, timestamp: number): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              statuses: [{ id: wamid, status, timestamp: String(timestamp), recipient_id: recipient }],
            },
          },
        ],
      },
    ],
  });
}

/** `sha256=<hex>` of the exact bytes, as Meta's X-Hub-Signature-256. */
export function metaSignature(body: string | Buffer, secret = APP_SECRET): string {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
}

export function webhookPath(accountId: string): string {
  return `/webhooks/whatsapp/${accountId}`;
}

export async function postWebhook(baseUrl: string, accountId: string, body: string, signature = metaSignature(body)): Promise<Response> {
  return fetch(`${baseUrl}${webhookPath(accountId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
}

/** Delivers as Meta does: a 503 (storage busy or away) is retried after a pause, anything else is the answer. */
export async function deliverLikeMeta(baseUrl: string, accountId: string, body: string, attempts = 10): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const res = await postWebhook(baseUrl, accountId, body);
    if (res.status !== 503 || attempt >= attempts) return res.status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A unique wamid, shaped like Meta's (base64 of an opaque id). */
export function wamid(tag: string): string {
  return 'wamid.' + Buffer.from(`drill:${tag}:${crypto.randomBytes(6).toString('hex')}`).toString('base64');
}

export interface ChildService {
  child: ChildProcess;
  url: string;
  port: number;
  /** Lines the service wrote (stdout and stderr), newest last, at most 500. */
  output: string[];
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<string>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Runs the built service as `npm start` does and resolves once /healthz answers. */
export async function startChildService(env: Record<string, string>, options: { port?: number; nodeArgs?: string[] } = {}): Promise<ChildService> {
  const { flags, main } = startCommand();
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first`);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [...flags, ...(options.nodeArgs ?? []), main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    if (output.length > 500) output.splice(0, output.length - 500);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited at start:\n${output.join('\n')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not answer /healthz within 30 s:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    url,
    port,
    output,
    exited,
    async stop() {
      if (ended()) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
    async kill() {
      if (ended()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** CPU time a process has used so far (user and system), in seconds, from /proc (Linux, 100 ticks a second). */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** Drills tag each message text `[drill:<conversation>:<n>]` to find it again in what Slack received. */
export const MARK = /\[drill:(\w+):(\d+)\]/;

export function marksOf(calls: readonly SlackCall[]): { conversation: string; n: number }[] {
  return calls.flatMap((c) => {
    const m = MARK.exec(`${String(c.args.text ?? '')} ${JSON.stringify(c.args.blocks ?? '')}`);
    return m?.[1] && m[2] ? [{ conversation: m[1], n: Number(m[2]) }] : [];
  });
}

/** How often each mark (`<conversation>:<n>`) was posted: a drill expects every acknowledged one once, none twice. */
export function postCounts(calls: readonly SlackCall[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { conversation, n } of marksOf(calls)) counts.set(`${conversation}:${n}`, (counts.get(`${conversation}:${n}`) ?? 0) + 1);
  return counts;
}

/** The mark (`<conversation>:<n>`) a drill message's text carries. */
export function markOf(text: string): string {
  return /\[drill:(\w+:\d+)\]/.exec(text)?.[1] ?? '';
}

/**
 * Drills of several service processes on one database run on MongoDB (`npm run test:mongodb`) only:
 * the embedded database belongs to one process, which keeps guarded writes atomic by taking them in
 * turn in-process (src/store/guard.ts), so two processes on it are not a supported deployment.
 */
export function describeMultiInstance(name: string, fn: () => void): void {
  // Chosen when called: the bench imports this module outside jest, where `describe` does not exist.
  (process.env.WADESK_TEST_DB === 'mongodb' ? describe : describe.skip)(name, fn);
}
