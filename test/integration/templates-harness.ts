import { slackApi, slackRefusal, slackResponseUrl, SlackFaults } from '../fakes/strict-slack';
import { issuedToken } from '../fakes/whatsapp-contract';
import { conversationOutboxHandlers } from '../../src/conversations/deliveries';
import { OutboxWorker } from '../../src/outbox';
import { AccountModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { templateOutboxHandlers } from '../../src/templates';
import type { TemplateFormValues } from '../../src/templates/form';
import nock from 'nock';
import { startTestService, type TestService } from '../helpers/service';
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
 * Drives the template screens the way Slack does (signed commands, block_actions,
 * view_submission) and records every Slack Web API call the service makes.
 */

export const TEAM = 'T0001';
export const CHANNEL = 'C0SALES';
export const WA_API = 'https://graph.wa.test/v23.0';
export const WABA_ID = '102290129340398';
export const PHONE_ID = '106540352242922';
export const RESPONSE_HOST = 'https://hooks.slack.test';

export const ADMIN = 'U0ADMIN';
export const AGENT = 'U0AGENT';
export const OUTSIDER = 'U0OUTSIDER';
/** An admin whose Slack speaks Indonesian. */
export const ADMIN_ID = 'U0BUDI';

const USERS: Record<string, { is_admin: boolean; locale: string; real_name?: string }> = {
  [ADMIN]: { is_admin: true, locale: 'en-US' },
  [AGENT]: { is_admin: false, locale: 'en-US', real_name: 'Rina' },
  [OUTSIDER]: { is_admin: false, locale: 'en-US' },
  [ADMIN_ID]: { is_admin: true, locale: 'id-ID' },
};

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
}

export class TemplateSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: Record<string, unknown>[] = [];
  /** Members of CHANNEL, for conversations.members. */
  members: string[] = [ADMIN, AGENT, ADMIN_ID];
  private ts = 1_700_000_000;

  constructor(private readonly service: TestService) {}

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
        recorder.calls.push({ method, params });
        // Recorded either way: the call reached Slack, which refused it or did it.
        return slackRefusal(this.req.headers, method, params, recorder.faults) ?? [200, recorder.answer(method, params)];
      });
    slackResponseUrl(RESPONSE_HOST)
      .persist()
      .post(/.*/)
      .reply((_uri, body) => {
        this.responses.push(slackCallParams(body));
        return [200, { ok: true }];
      });
  }

  private answer(method: string, params: Record<string, unknown>): object {
    switch (method) {
      case 'auth.test':
        return { ok: true, team_id: TEAM, user_id: 'UBOT', bot_id: 'BBOT' };
      case 'users.info': {
        const user = USERS[String(params.user)];
        return user ? { ok: true, user: { id: params.user, team_id: TEAM, ...user } } : { ok: false, error: 'user_not_found' };
      }
      case 'conversations.members':
        return { ok: true, members: params.channel === CHANNEL ? this.members : [], response_metadata: { next_cursor: '' } };
      case 'chat.postMessage':
        return { ok: true, channel: params.channel, ts: `${this.ts++}.000100` };
      case 'views.open':
      case 'views.push':
      case 'views.update':
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

  views(method: 'views.open' | 'views.push' | 'views.update'): Array<{ viewId?: string; view: View }> {
    return this.calls
      .filter((c) => c.method === method)
      .map((c) => ({ viewId: typeof c.params.view_id === 'string' ? c.params.view_id : undefined, view: viewOf(c.params) }));
  }

  /** The first view shown with `method` that satisfies `match`, waiting for listeners that answer Slack first. */
  waitView(method: 'views.open' | 'views.push' | 'views.update', match: (v: View) => boolean = () => true) {
    return waitFor(() => this.views(method).find((v) => match(v.view)), `${method}`);
  }

  posts(): SlackCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage');
  }

  async post(body: string): Promise<{ status: number; json?: Ack }> {
    const res = await postToSlackEvents(this.service.url, body, { now: this.service.clock.now() });
    const raw = await res.text();
    return { status: res.status, json: raw ? (JSON.parse(raw) as Ack) : undefined };
  }

  command(userId: string, text: string) {
    return this.post(slashCommandBody({ user_id: userId, text, team_id: TEAM, channel_id: CHANNEL }));
  }

  /** A block action in a modal whose private_metadata and state are given, or in a channel message. */
  action(userId: string, action: Record<string, unknown>, view?: { id?: string; privateMetadata?: string; state?: object; callbackId?: string }) {
    const where = view
      ? viewContainer({ ...view, id: view.id ?? 'V0MODAL', type: 'modal' })
      : messageContainer({ id: CHANNEL, name: 'sales' }, RESPONSE_HOST);
    return this.post(blockActionsBody(userId, where, action));
  }

  click(userId: string, actionId: string, value: string, view?: { id?: string; privateMetadata?: string; state?: object }) {
    return this.action(userId, { type: 'button', action_id: actionId, value }, view);
  }

  submit(userId: string, callbackId: string, state: object, privateMetadata: string, viewId = 'V0MODAL') {
    return this.post(viewSubmissionBody(userId, callbackId, state, privateMetadata, viewId));
  }
}

export interface View {
  callback_id?: string;
  private_metadata?: string;
  blocks?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface Ack {
  response_action?: string;
  errors?: Record<string, string>;
  view?: View;
}

function viewOf(params: Record<string, unknown>): View {
  const view = params.view;
  if (typeof view === 'string') return JSON.parse(view) as View;
  return typeof view === 'object' && view !== null ? (view as View) : {};
}


export function metadataOf(view: View): Record<string, unknown> {
  return JSON.parse(view.private_metadata ?? '{}') as Record<string, unknown>;
}

/** Everything the view shows, for text assertions. */
export function textOf(view: View | undefined): string {
  return JSON.stringify(view?.blocks ?? []);
}

export async function createAccount(service: TestService, overrides: Partial<Record<string, unknown>> = {}): Promise<AccountDocument> {
  const seal = (s: string) => service.deps.secrets.seal(s);
  return AccountModel.create({
    teamId: TEAM,
    name: 'Sales',
    nameKey: 'sales',
    kind: 'cloud',
    apiUrl: WA_API,
    tokenSealed: seal(issuedToken('EAAG-test-token')),
    tokenHint: '…oken',
    phoneNumberId: PHONE_ID,
    wabaId: WABA_ID,
    verifyTokenSealed: seal('verify'),
    channelId: CHANNEL,
    createdBy: ADMIN,
    ...overrides,
  });
}

/** An approved template of the account, as the sync stores one from WhatsApp. */
export function seedTemplate(account: AccountDocument, overrides: Record<string, unknown> = {}) {
  return TemplateModel.create({
    accountId: account._id,
    remoteId: '1689556908129832',
    name: 'order_ready',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    body: 'Hello {{1}}, your order is ready.',
    bodyExamples: ['Budi'],
    createdBy: ADMIN,
    ...overrides,
  });
}

/** The template form's view state as Slack submits it. */
export function formState(values: Partial<TemplateFormValues>) {
  const text = (value: string | undefined) => ({ value: { type: 'plain_text_input', value: value || null } });
  return {
    values: {
      tpl_name: text(values.name),
      tpl_language: text(values.language),
      tpl_category: {
        value: { type: 'static_select', selected_option: values.category ? { value: values.category, text: { type: 'plain_text', text: 'x' } } : null },
      },
      tpl_header: text(values.header),
      tpl_header_example: text(values.headerExample),
      tpl_body: text(values.body),
      tpl_examples: text(values.examples),
      tpl_footer: text(values.footer),
      tpl_buttons: text(values.buttons),
    },
  };
}

/** Delivers what the outbox holds with the template and conversation handlers. */
export function outboxFor(service: TestService): OutboxWorker {
  return new OutboxWorker(service.deps, { ...conversationOutboxHandlers(service.deps), ...templateOutboxHandlers(service.deps) });
}

/**
 * Registers a suite's hooks: one service, a recording Slack and one account (with `overrides`)
 * for the suite, stopped after it.
 */
export function templateSuite(overrides: (service: TestService) => Partial<Record<string, unknown>> = () => ({})) {
  let service: TestService | undefined;
  let slack: TemplateSlack | undefined;
  let account: AccountDocument | undefined;
  beforeAll(async () => {
    service = await startTestService();
    slack = new TemplateSlack(service);
    slack.install();
    account = await createAccount(service, overrides(service));
  });
  afterAll(async () => {
    await service?.stop();
    nock.cleanAll();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite has not started');
    return value;
  };
  return { service: () => started(service), slack: () => started(slack), account: () => started(account) };
}

/** A suite's running service and fake Slack (see `slackSuite`). */
export class SlackSuite {
  service!: TestService;
  slack!: TemplateSlack;
}

/**
 * Registers a suite's hooks: one service (with `env`) and one fake Slack for the suite; before each
 * test, Slack answered afresh and the clock at `now`. Register the suite's own hooks after this one.
 */
export function slackSuite(now: Date, env: Record<string, string> = {}): SlackSuite {
  const suite = new SlackSuite();
  beforeAll(async () => {
    suite.service = await startTestService(env);
    suite.slack = new TemplateSlack(suite.service);
  });
  afterAll(async () => {
    await suite.service.stop();
    nock.cleanAll();
  });
  beforeEach(() => {
    nock.cleanAll();
    suite.slack.install();
    suite.slack.clear();
    suite.service.clock.set(now);
  });
  return suite;
}
