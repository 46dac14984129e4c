import crypto from 'node:crypto';
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
}

/** POSTs to /slack/events with Slack's headers, signed unless told otherwise. */
export async function postToSlackEvents(baseUrl: string, body: string, options: SlackPostOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(options.now.getTime() / 1000);
  return fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(body, timestamp, options.secret),
    },
    body,
  });
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
