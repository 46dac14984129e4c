/**
 * A small fake of Slack's Web API over real HTTP on 127.0.0.1, for drills and
 * benchmarks where the service may run in another process (nock cannot reach it).
 * It answers Slack's public shapes (`{ ok: true, ... }` / `{ ok: false, error }`),
 * records every call with its arrival time, and can be told to fail: HTTP 500,
 * refused connections (the listener is closed) or 429 with Retry-After. Like Slack, it answers a
 * token it never issued with `invalid_auth` (./strict-slack), and
 * it refuses payloads outside Block Kit's limits (./block-kit).
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { recordProblems, slackCallProblems, slackErrorFor } from './block-kit';
import { SlackTimestamps } from './slack-ts';
import { faultReply, historyWindow, slackAuthError, SlackFaults, SlackReactions, type FaultScope, type SlackFault } from './strict-slack';

export type { SlackFault };

export interface SlackCall {
  method: string;
  /** Arguments as sent (form fields or JSON); JSON-looking form fields such as `blocks` are parsed. */
  args: Record<string, unknown>;
  /** performance.now() of arrival, comparable with the same clock in this process. */
  at: number;
  /** What the fake answered: 200, 429 or 500. */
  status: number;
  /** The `ts` handed out by chat.postMessage, when it succeeded. */
  ts?: string;
}

export interface ChannelLimit {
  /** Sustained posts per second per channel, like Slack's chat.postMessage limit. */
  perSecond: number;
  /** Posts a channel may burst before the limit applies. */
  burst: number;
  retryAfterSeconds: number;
}

type Custom = (args: Record<string, unknown>) => Record<string, unknown>;

export interface FakeSlackOptions {
  port?: number;
  teamId?: string;
  botUserId?: string;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly faults = new SlackFaults();
  readonly reactions = new SlackReactions();
  private readonly custom = new Map<string, Custom>();
  private channelLimit: ChannelLimit | undefined;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly timestamps = new SlackTimestamps();
  private fileCounter = 0;
  private viewCounter = 0;
  private listening = false;
  port = 0;

  constructor(private readonly options: FakeSlackOptions = {}) {}

  /** Base URL to give the service as SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    await this.listen(this.options.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    await this.refuse();
  }

  /** Closes the listener and every open connection: calls now fail with ECONNREFUSED. */
  async refuse(): Promise<void> {
    const server = this.server;
    if (!server || !this.listening) return;
    this.listening = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port after refuse(). */
  async accept(): Promise<void> {
    if (this.listening) return;
    await this.listen(this.port);
  }

  /** Fails the next `times` calls (all calls until clearFaults() when omitted), optionally only some methods. */
  fail(fault: SlackFault, scope: FaultScope = {}): void {
    this.faults.fail(fault, scope);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Answers chat.postMessage with 429 per channel beyond a token bucket, like Slack's per-channel limit. */
  limitChannels(limit: ChannelLimit | undefined): void {
    this.channelLimit = limit;
    this.buckets.clear();
  }

  /** Replaces the answer of one method (the `ok: true` is added). */
  on(method: string, answer: Custom): void {
    this.custom.set(method, answer);
  }

  callsOf(method: string, status = 200): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.status === status);
  }

  /** Successful chat.postMessage calls. */
  posts(): SlackCall[] {
    return this.callsOf('chat.postMessage');
  }

  reset(): void {
    this.calls.length = 0;
    this.clearFaults();
    this.custom.clear();
    this.reactions.clear();
    this.limitChannels(undefined);
  }

  private listen(port: number): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        this.listening = true;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');

    if (url.pathname.startsWith('/upload/')) {
      // The external upload URL handed out by files.getUploadURLExternal.
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${Buffer.concat(chunks).length}`);
      return;
    }
    const match = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!match?.[1]) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'unknown_method' }));
      return;
    }
    const method = match[1];
    const args = parseArgs(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
    const call: SlackCall = { method, args, at, status: 200 };
    this.calls.push(call);

    // Real Slack refuses what breaks Block Kit's limits; the test that sent it fails too.
    const problems = slackCallProblems(method, args);
    recordProblems(problems);
    const authError = slackAuthError(req.headers.authorization);
    const fault: SlackFault | undefined = authError
      ? { kind: 'error', error: authError }
      : problems.length > 0
        ? { kind: 'error', error: slackErrorFor(method, problems) }
        : (this.faults.take(method, args) ?? this.channelFault(method, args, at));
    if (fault) {
      const [status, body, headers] = faultReply(fault);
      // An `ok: false` answer is recorded as status 0: the call reached Slack and was refused.
      call.status = fault.kind === 'error' ? 0 : status;
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
      return;
    }

    const custom = this.custom.get(method);
    const answer = custom ? { ok: true, ...custom(args) } : this.answer(method, args);
    if (method === 'chat.postMessage' && typeof answer.ts === 'string') call.ts = answer.ts;
    if (answer.ok === false) call.status = 0;
    json(res, answer);
  }

  private channelFault(method: string, args: Record<string, unknown>, at: number): SlackFault | undefined {
    const limit = this.channelLimit;
    if (!limit || method !== 'chat.postMessage') return undefined;
    const channel = String(args.channel ?? '');
    const bucket = this.buckets.get(channel) ?? { tokens: limit.burst, at };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((at - bucket.at) / 1000) * limit.perSecond);
    bucket.at = at;
    this.buckets.set(channel, bucket);
    if (bucket.tokens < 1) return { kind: 'ratelimit', retryAfterSeconds: limit.retryAfterSeconds };
    bucket.tokens -= 1;
    return undefined;
  }

  /** Posts of `channel` after the call's `oldest`, oldest first; their metadata only when asked for. */
  private postedIn(channel: string, args: Record<string, unknown>, where: (call: SlackCall) => boolean): Record<string, unknown>[] {
    const window = historyWindow(args);
    return this.posts()
      .filter((c) => String(c.args.channel) === channel && window.shows(c.ts) && where(c))
      .map((c) => ({ type: 'message', ts: c.ts, text: c.args.text ?? '', ...(c.args.metadata && window.metadata ? { metadata: c.args.metadata } : {}) }));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const teamId = this.options.teamId ?? 'T0001';
    const botUserId = this.options.botUserId ?? 'UBOT';
    const channel = String(args.channel ?? args.channel_id ?? 'C0001');
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'wadesk', team_id: teamId, user_id: botUserId, bot_id: 'BBOT' };
      case 'chat.postMessage': {
        const ts = this.timestamps.next();
        return { ok: true, channel, ts, message: { type: 'message', text: args.text ?? '', user: botUserId, ts, thread_ts: args.thread_ts } };
      }
      case 'chat.update':
        return { ok: true, channel, ts: args.ts, text: args.text ?? '' };
      // What was posted, with its metadata: how a retry finds a post that did reach Slack. A channel newest first, a thread oldest first.
      case 'conversations.history':
        return { ok: true, has_more: false, messages: this.postedIn(channel, args, (c) => c.args.thread_ts === undefined).reverse() };
      case 'conversations.replies':
        return { ok: true, has_more: false, messages: this.postedIn(channel, args, (c) => c.ts === args.ts || c.args.thread_ts === args.ts) };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.timestamps.next() };
      case 'reactions.add':
      case 'reactions.remove':
        return this.reactions.answer(method, args) ?? { ok: false, error: 'unknown_method' };
      case 'conversations.join':
        return { ok: true, channel: { id: channel, is_channel: true, is_member: true } };
      case 'users.info':
        return {
          ok: true,
          user: {
            id: args.user,
            team_id: teamId,
            name: 'agent',
            real_name: 'Agent',
            tz: 'Asia/Jakarta',
            tz_offset: 25200,
            locale: 'en-US',
            is_admin: true,
            is_owner: false,
            is_bot: false,
            profile: { display_name: 'Agent', real_name: 'Agent' },
          },
        };
      case 'chat.getPermalink':
        return { ok: true, channel, permalink: `https://acme.slack.com/archives/${channel}/p${String(args.message_ts ?? '').replace('.', '')}` };
      case 'files.getUploadURLExternal': {
        this.fileCounter += 1;
        const fileId = `F${String(this.fileCounter).padStart(8, '0')}`;
        return { ok: true, upload_url: `http://127.0.0.1:${this.port}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const files = Array.isArray(args.files) ? args.files : [];
        return { ok: true, files: files.map((f) => (typeof f === 'object' && f !== null ? { ...f } : { id: String(f) })) };
      }
      case 'views.open':
      case 'views.update':
      case 'views.publish': {
        this.viewCounter += 1;
        const view = typeof args.view === 'object' && args.view !== null ? args.view : {};
        return { ok: true, view: { id: `V${String(this.viewCounter).padStart(8, '0')}`, team_id: teamId, ...view } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function json(res: ServerResponse, body: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** The WebClient sends form fields whose object values are JSON strings; JSON bodies are also accepted. */
function parseArgs(text: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed)) : {};
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).start();
}
