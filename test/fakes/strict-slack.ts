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
