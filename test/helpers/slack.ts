import crypto from 'node:crypto';
import { ackProblems, recordProblems } from '../fakes/block-kit';
import { SIGNING_SECRET } from './service';

/** Signs a body the way Slack does: v0=HMAC-SHA256(secret, "v0:{ts}:{body}"). */
export function slackSignature(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return 'v0=' + crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
}

export interface SlackPostOptions {
  now: Date;
  secret?: string;
  timestamp?: number;
  contentType?: string;
  signature?: string;
  /** More headers, e.g. Slack's `x-slack-retry-num` on a redelivery. */
  headers?: Record<string, string>;
}

/** POSTs to /slack/events with Slack's headers, signed unless told otherwise; our answer must be one Slack accepts. */
export async function postToSlackEvents(baseUrl: string, body: string, options: SlackPostOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(options.now.getTime() / 1000);
  const response = await fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(body, timestamp, options.secret),
      ...options.headers,
    },
    body,
  });
  if (response.headers.get('content-type')?.includes('application/json')) recordProblems(ackProblems(await response.clone().json()));
  return response;
}

export function slashCommandBody(fields: Record<string, string>): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: 'C0001',
    channel_name: 'general',
    user_id: 'U0ADMIN',
    user_name: 'admin',
    command: '/whatsapp',
    text: '',
    api_app_id: 'A0001',
    response_url: 'https://hooks.slack.test/commands/T0001/1/abc',
    trigger_id: '1.2.abc',
    ...fields,
  }).toString();
}

export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const TEAM_ID = 'T0001';

/** Who clicked or submitted, as interaction payloads name them; another workspace of the app names its own team. */
function actor(userId: string, teamId = TEAM_ID) {
  return {
    team: { id: teamId, domain: teamId === TEAM_ID ? 'acme' : 'other' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0001',
    token: 'deprecated',
  };
}

/** A `view_submission` of a modal, as Slack posts it. */
export function viewSubmissionBody(
  userId: string,
  callbackId: string,
  state: object,
  privateMetadata: string,
  viewId = 'V0MODAL',
  teamId = TEAM_ID,
): string {
  return interactionBody({
    type: 'view_submission',
    ...actor(userId, teamId),
    trigger_id: '1.2.submit',
    view: {
      id: viewId,
      team_id: teamId,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      state,
      hash: '1.abc',
      title: { type: 'plain_text', text: 'x' },
      blocks: [],
      app_id: 'A0001',
      bot_id: 'BBOT',
    },
    response_urls: [],
  });
}

/** Where a `block_actions` click happened: a view (Home tab or modal) or a message. */
export function viewContainer(view: { id: string; type: 'home' | 'modal'; callbackId?: string; privateMetadata?: string; state?: object; teamId?: string }) {
  return {
    container: { type: 'view', view_id: view.id },
    view: {
      id: view.id,
      type: view.type,
      team_id: view.teamId ?? TEAM_ID,
      callback_id: view.callbackId ?? '',
      private_metadata: view.privateMetadata ?? '',
      state: view.state ?? { values: {} },
      hash: '1.h',
      blocks: [],
    },
  };
}

export function messageContainer(channel: { id: string; name: string }, responseHost: string, ephemeral = false) {
  return {
    container: { type: 'message', message_ts: '1.1', channel_id: channel.id, ...(ephemeral ? { is_ephemeral: true } : {}) },
    channel,
    response_url: `${responseHost}/actions/${TEAM_ID}/1/xyz`,
  };
}

/** A `block_actions` payload: one action, at `where`. */
export function blockActionsBody(userId: string, where: object, action: Record<string, unknown>, teamId = TEAM_ID): string {
  return interactionBody({
    type: 'block_actions',
    ...actor(userId, teamId),
    trigger_id: '1.2.click',
    ...where,
    actions: [{ block_id: 'b', action_ts: '1.2', ...action }],
  });
}

/** A Web API call's arguments as nock hands them over: JSON, form-encoded, or already parsed. */
export function slackCallParams(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return Object.fromEntries(new URLSearchParams(body));
    }
  }
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** Polls until `find` returns something; listeners answer Slack before they finish. */
export async function waitFor<T>(find: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let eventCount = 0;

/** An Events API delivery of `event` to our app, as Slack posts it (JSON). */
export function eventCallbackBody(event: Record<string, unknown>, teamId = TEAM_ID): string {
  eventCount++;
  return JSON.stringify({
    type: 'event_callback',
    team_id: teamId,
    api_app_id: 'A0001',
    event: { event_ts: `${eventCount}.0`, ...event },
    event_id: `EvT${eventCount}`,
    event_time: 1,
    authorizations: [{ team_id: teamId, user_id: 'UBOT', is_bot: true }],
  });
}
