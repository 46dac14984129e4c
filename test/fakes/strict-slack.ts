/**
 * Slack's side of nock, made strict: every Web API call and response_url post a
 * test intercepts is checked against Block Kit's limits (./block-kit). What real
 * Slack would refuse is recorded, and the test that sent it fails in afterEach.
 */
import nock from 'nock';
export const SLACK_API = 'https://slack.test';
import { messageProblems, recordProblems, slackCallProblems } from './block-kit';

/** A Web API body as the WebClient sends it: form fields whose object values are JSON, or JSON. */
export function slackArgs(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return Object.fromEntries(Object.entries(body));
  const text = typeof body === 'string' ? body : '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return Object.fromEntries(Object.entries(parsed));
  } catch {
    // form-encoded
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) args[key] = /^[[{]/.test(value) ? parseOr(value) : value;
  return args;
}

function parseOr(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** nock(SLACK_API) whose calls must be ones real Slack accepts. */
export function slackApi(base = SLACK_API): nock.Scope {
  return nock(base).on('request', (req: { path: string }, _interceptor: unknown, body: string) => {
    const method = req.path.replace(/^\/api\//, '').split('?')[0] ?? '';
    recordProblems(slackCallProblems(method, slackArgs(body)));
  });
}

/** nock(host) for response_url posts: each is a message, unless it only deletes the original. */
export function slackResponseUrl(host: string): nock.Scope {
  return nock(host).on('request', (_req: unknown, _interceptor: unknown, body: string) => {
    const args = slackArgs(body);
    if (args.delete_original === true || args.delete_original === 'true') return;
    recordProblems(messageProblems(args, 'response_url'));
  });
}

// ---- what every fake Slack refuses, as Slack does -------------------------------

const issuedTokens = new Set<string>();

/** A bot token Slack issued: every other token is answered `invalid_auth`. */
export function issuedSlackToken(token: string): string {
  issuedTokens.add(token);
  return token;
}

/** Slack's answer to a Web API call's credentials: `not_authed` without a token, `invalid_auth` for one it never issued. */
export function slackAuthError(authorization: string | undefined): 'not_authed' | 'invalid_auth' | undefined {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) return 'not_authed';
  return issuedTokens.has(token) ? undefined : 'invalid_auth';
}

export type SlackFault =
  | { kind: 'status'; status: number }
  | { kind: 'ratelimit'; retryAfterSeconds: number }
  | { kind: 'error'; error: string };

export interface FaultScope {
  /** Calls left to fail; all until cleared when omitted. */
  times?: number;
  methods?: readonly string[];
  /** Only calls naming one of these channels (`channel`), as Slack refuses a channel the bot cannot post in. */
  channels?: readonly string[];
}

/** Refusals a test arms, taken by the calls they match: shared by the nock fakes and the HTTP one. */
export class SlackFaults {
  private armed: { fault: SlackFault; remaining: number; scope: FaultScope }[] = [];

  fail(fault: SlackFault, scope: FaultScope = {}): void {
    this.armed.push({ fault, remaining: scope.times ?? Infinity, scope });
  }

  clear(): void {
    this.armed = [];
  }

  take(method: string, args: Record<string, unknown>): SlackFault | undefined {
    const channel = String(args.channel ?? '');
    const match = this.armed.find((f) => f.remaining > 0 && (!f.scope.methods || f.scope.methods.includes(method)) && (!f.scope.channels || f.scope.channels.includes(channel)));
    if (!match) return undefined;
    match.remaining -= 1;
    return match.fault;
  }
}

/** A fault as Slack sends it over HTTP: status, body and headers (a 429 carries Retry-After). */
export function faultReply(fault: SlackFault): [number, Record<string, unknown> | string, Record<string, string>] {
  switch (fault.kind) {
    case 'ratelimit':
      return [429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSeconds) }];
    case 'status':
      return [fault.status, 'fake slack fault', { 'content-type': 'text/plain' }];
    case 'error':
      return [200, { ok: false, error: fault.error }, {}];
  }
}

/** Reactions as Slack keeps them: adding one twice answers `already_reacted`, removing an absent one `no_reaction`. */
export class SlackReactions {
  private readonly given = new Set<string>();

  answer(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
    if (method !== 'reactions.add' && method !== 'reactions.remove') return undefined;
    const key = `${String(args.channel)}/${String(args.timestamp)}/${String(args.name)}`;
    if (method === 'reactions.add') {
      if (this.given.has(key)) return { ok: false, error: 'already_reacted' };
      this.given.add(key);
    } else if (!this.given.delete(key)) {
      return { ok: false, error: 'no_reaction' };
    }
    return { ok: true };
  }

  /** Reactions on a message now. */
  on(channel: string, timestamp: string): string[] {
    const prefix = `${channel}/${timestamp}/`;
    return [...this.given].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  clear(): void {
    this.given.clear();
  }
}

/**
 * What Slack answers instead of doing the call, if anything: a bad token first, then a fault armed
 * for it. The nock fakes call this first in their reply functions.
 */
export function slackRefusal(headers: Record<string, string>, method: string, args: Record<string, unknown>, faults?: SlackFaults): nock.ReplyFnResult | undefined {
  const authError = slackAuthError(headers.authorization);
  if (authError) return [200, { ok: false, error: authError }];
  const fault = faults?.take(method, args);
  return fault ? faultReply(fault) : undefined;
}

/** A truthy Web API flag as the WebClient sends it in a form (`true`, `1`) or JSON. */
const flag = (value: unknown) => value === true || value === 'true' || value === '1' || value === 1;

/**
 * How conversations.history and conversations.replies read their arguments, as Slack documents them:
 * `oldest` is exclusive unless `inclusive` is set, and messages carry their metadata only with
 * `include_all_metadata` (both default to false).
 */
export function historyWindow(args: Record<string, unknown>): { shows: (ts: unknown) => boolean; metadata: boolean } {
  const oldest = args.oldest === undefined ? undefined : Number(args.oldest);
  const inclusive = flag(args.inclusive);
  return {
    shows: (ts) => oldest === undefined || (inclusive ? Number(ts) >= oldest : Number(ts) > oldest),
    metadata: flag(args.include_all_metadata),
  };
}
