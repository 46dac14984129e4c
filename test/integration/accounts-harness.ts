import { slackApi, slackRefusal, slackResponseUrl, SlackFaults } from '../fakes/strict-slack';
import type { TestService } from '../helpers/service';
import {
  blockActionsBody,
  messageContainer,
  postToSlackEvents,
  slackCallParams,
  slashCommandBody,
  viewContainer,
  viewSubmissionBody,
  waitFor,
} from '../helpers/slack';

export { waitFor };

/**
 * Drives the accounts feature the way Slack does (signed slash commands,
 * block_actions and view_submission) and records every call the service makes
 * to Slack, so tests can look at what was shown and scan it for secrets.
 */

export interface SlackUserFixture {
  id: string;
  is_admin: boolean;
  is_owner?: boolean;
  locale?: string;
}

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  /** The body as sent and decoded (form fields as JSON). */
  raw: string;
}

export const TEAM = 'T0001';
export const RESPONSE_HOST = 'https://hooks.slack.test';

export class SlackRecorder {
  readonly calls: SlackCall[] = [];
  readonly responses: SlackCall[] = [];
  /** Bodies of our HTTP answers to Slack (acks with response_action). */
  readonly acks: string[] = [];
  /** Every body sent to Slack during the suite; clear() keeps it, for the secrets scan. */
  private readonly history: string[] = [];
  private readonly users = new Map<string, SlackUserFixture>();

  constructor(users: SlackUserFixture[]) {
    for (const u of users) this.users.set(u.id, u);
  }

  /** Refusals a test arms, e.g. a 429 on views.open or users.info. */
  readonly faults = new SlackFaults();

  install(): void {
    const recorder = this;
    slackApi()
      .persist()
      .post(/\/api\/.+/)
      .reply(function (uri, body) {
        const method = uri.replace(/^\/api\//, '').split('?')[0] ?? '';
        const params = slackCallParams(body);
        recorder.calls.push({ method, params, raw: rawText(body, params) });
        recorder.history.push(rawText(body, params));
        // Recorded either way: the call reached Slack, which refused it or did it.
        return slackRefusal(this.req.headers, method, params, recorder.faults) ?? [200, recorder.answer(method, params)];
      });
    slackResponseUrl(RESPONSE_HOST)
      .persist()
      .post(/.*/)
      .reply((uri, body) => {
        const params = slackCallParams(body);
        this.responses.push({ method: uri, params, raw: rawText(body, params) });
        this.history.push(rawText(body, params));
        return [200, { ok: true }];
      });
  }

  private answer(method: string, params: Record<string, unknown>): object {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'Acme', user: 'wadesk', team_id: TEAM, user_id: 'UBOT', bot_id: 'BBOT' };
      case 'users.info': {
        const user = this.users.get(String(params.user));
        return user ? { ok: true, user: { ...user, team_id: TEAM } } : { ok: false, error: 'user_not_found' };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
      case 'views.publish':
        return { ok: true, view: { id: 'V0NEW' } };
      default:
        return { ok: true };
    }
  }

  clear(): void {
    this.faults.clear();
    this.calls.length = 0;
    this.responses.length = 0;
  }

  viewsOf(method: string): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.method === method).map((c) => viewOf(c.params));
  }

  /** Everything wadesk sent to Slack during the suite, as text. */
  everything(): string {
    return [...this.history, ...this.acks].join('\n');
  }
}

/** The body as sent, then decoded, so both forms can be searched. */
function rawText(body: unknown, params: Record<string, unknown>): string {
  return `${typeof body === 'string' ? body : ''}\n${JSON.stringify(params)}`;
}

export function viewOf(params: Record<string, unknown>): Record<string, unknown> {
  const view = params.view;
  if (typeof view === 'string') return JSON.parse(view) as Record<string, unknown>;
  return typeof view === 'object' && view !== null ? (view as Record<string, unknown>) : {};
}


export interface ConnectValues {
  name?: string;
  kind?: 'cloud' | 'bsp';
  apiUrl?: string;
  apiKeyHeader?: string;
  token?: string;
  phoneNumberId?: string;
  wabaId?: string;
  appSecret?: string;
  channelId?: string;
}

const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value ?? null } });
const radio = (value: string | undefined) => ({
  value: { type: 'radio_buttons', selected_option: value ? { value, text: { type: 'plain_text', text: value } } : null },
});
const conversation = (value: string | undefined) => ({ value: { type: 'conversations_select', selected_conversation: value ?? null } });

export function connectState(v: ConnectValues) {
  return {
    values: {
      name: text(v.name),
      kind: radio(v.kind),
      api_url: text(v.apiUrl),
      api_key_header: text(v.apiKeyHeader),
      token: text(v.token),
      phone_number_id: text(v.phoneNumberId),
      waba_id: text(v.wabaId),
      app_secret: text(v.appSecret),
      channel: conversation(v.channelId),
    },
  };
}

export function settingsState(v: { name?: string; enabled?: 'on' | 'off'; channelId?: string; token?: string; appSecret?: string }) {
  return {
    values: {
      name: text(v.name),
      enabled: radio(v.enabled),
      channel: conversation(v.channelId),
      token: text(v.token),
      app_secret: text(v.appSecret),
    },
  };
}

export class SlackDriver {
  constructor(
    private readonly service: TestService,
    private readonly recorder: SlackRecorder,
  ) {}

  async post(body: string): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const res = await postToSlackEvents(this.service.url, body, { now: this.service.clock.now() });
    const raw = await res.text();
    this.recorder.acks.push(raw);
    return { status: res.status, json: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined };
  }

  command(userId: string, text: string) {
    return this.post(slashCommandBody({ user_id: userId, text, team_id: TEAM }));
  }

  submit(userId: string, callbackId: string, state: object, privateMetadata: string, viewId = 'V0MODAL') {
    return this.post(viewSubmissionBody(userId, callbackId, state, privateMetadata, viewId));
  }

  connect(userId: string, values: ConnectValues, viewId?: string) {
    return this.submit(userId, 'accounts.connect', connectState(values), JSON.stringify({ form: 'connect' }), viewId);
  }

  /** Submits the move form of an account (its private metadata as the form carries it). */
  move(userId: string, account: { id: string; name: string }, values: ConnectValues, viewId?: string) {
    return this.submit(userId, 'accounts.move.submit', connectState(values), JSON.stringify({ accountId: account.id, name: account.name }), viewId);
  }

  /** Clicks a button on the Home tab, in a modal, or under an ephemeral message. */
  click(userId: string, actionId: string, value: string, surface: 'home' | 'modal' | 'message' = 'home') {
    const where =
      surface === 'message'
        ? messageContainer({ id: 'C0001', name: 'general' }, RESPONSE_HOST, true)
        : viewContainer({ id: surface === 'home' ? 'V0HOME' : 'V0MODAL', type: surface });
    return this.post(blockActionsBody(userId, where, { type: 'button', action_id: actionId, value }));
  }
}
