import mongoose from 'mongoose';
import nock from 'nock';
import { ACCOUNT_ACTIONS, ACCOUNT_CALLBACKS } from '../../src/bot/views/accounts';
import { CONTACT_ACTION, CONTACT_VIEW } from '../../src/bot/views/contact';
import { INBOX_ACTIONS, INBOX_VIEWS } from '../../src/bot/views/inbox';
import { queuePageAction, queuePagerValue } from '../../src/bot/views/queues';
import { SAVED_REPLY_ACTIONS, SAVED_REPLY_VIEWS, sendTextBlock } from '../../src/bot/views/saved-replies';
import { QUEUES } from '../../src/domain/queues';
import { SET_ASIDE_ACTIONS } from '../../src/bot/views/set-aside';
import { SLA_ACTIONS, SLA_VIEWS } from '../../src/bot/views/sla';
import { SLA_FIELDS } from '../../src/sla/settings';
import { TEMPLATE_ACTIONS, TEMPLATE_VIEWS } from '../../src/bot/views/templates';
import { WINDOW_PAGE_ACTION } from '../../src/bot/views/window';
import { METRICS_ACTIONS, METRICS_VIEWS, metricsValue } from '../../src/bot/views/metrics';
import { subcommands } from '../../src/bot/listeners/commands';
import { setThread, upsertConversation } from '../../src/store/conversations';
import { recordInbound } from '../helpers/inbound';
import { SavedReplyModel, TemplateModel, type AccountDocument } from '../../src/store/models';
import { saveDraft } from '../../src/store/templates';
import { draftFromForm } from '../../src/templates/form';
import { startTestService, type TestService } from '../helpers/service';
import { blockActionsBody, postToSlackEvents, slashCommandBody, viewContainer, viewSubmissionBody } from '../helpers/slack';
import { settingsState, connectState } from './accounts-harness';
import { CHANNEL, RESPONSE_HOST, TemplateSlack, WA_API, createAccount, formState } from './templates-harness';

/**
 * Another workspace of the same Slack app signs its requests as validly as ours.
 * Its admin sends every command, action, view submission and event of every
 * feature naming this workspace's account, templates, draft and conversation:
 * each must be refused with nothing changed, nothing sent to WhatsApp and
 * nothing of this workspace shown.
 */

const FOREIGN_TEAM = 'T9999';
/** An admin of the other workspace (listed in ADMIN_USER_IDS, so no check here stops them for not being one). */
const FOREIGN_ADMIN = 'U9ADMIN';
const WA_HOST = new URL(WA_API).origin;

// What only this workspace knows; none of it may reach the other one.
const ACCOUNT_NAME = 'Toko Rahasia';
const TEMPLATE_NAME = 'hidden_promo';
const TEMPLATE_BODY = 'Members only {{1}} discount today.';
const CUSTOMER_NAME = 'Siti Rahasia';
const CUSTOMER_WA_ID = '6281298765432';
const DRAFT_BODY = 'Draft secret {{1}} offer for you.';
const REPLY_NAME = 'Rahasia diskon';
const REPLY_TEXT = 'Kode rahasia {{name}}: HEMAT50';
const SECRETS = [ACCOUNT_NAME, TEMPLATE_NAME, 'Members only', CUSTOMER_NAME, CUSTOMER_WA_ID, 'Draft secret', REPLY_NAME, 'HEMAT50'];

let service: TestService;
let slack: TemplateSlack;
let account: AccountDocument;
let accountId: string;
let templateId: string;
let draftId: string;
let conversationId: string;
let replyId: string;
const THREAD_TS = '1767500000.000100';
const whatsapp: string[] = [];

beforeAll(async () => {
  service = await startTestService({ ADMIN_USER_IDS: FOREIGN_ADMIN });
  slack = new TemplateSlack(service);
  slack.install();
  // Any call to WhatsApp is recorded (and fails): none may happen.
  for (const method of ['GET', 'POST', 'DELETE']) {
    nock(WA_HOST)
      .persist()
      .intercept(/.*/, method)
      .reply((uri) => (whatsapp.push(`${method} ${uri}`), [500, { error: { message: 'no', code: 1 } }]));
  }

  account = await createAccount(service, { name: ACCOUNT_NAME, nameKey: ACCOUNT_NAME.toLowerCase() });
  accountId = String(account._id);
  const template = await TemplateModel.create({
    accountId: account._id,
    remoteId: '1689556908129832',
    name: TEMPLATE_NAME,
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    body: TEMPLATE_BODY,
    bodyExamples: ['10%'],
    createdBy: 'U0ADMIN',
  });
  templateId = String(template._id);
  const { draft } = draftFromForm({ name: 'secret_offer', language: 'en_US', category: 'MARKETING', header: '', headerExample: '', body: DRAFT_BODY, footer: '', buttons: '', examples: 'big' });
  draftId = await saveDraft(account._id, 'U0ADMIN', draft, service.clock.now());
  // A conversation with a thread and an open window: a reply in it would be sent.
  const conversation = await upsertConversation({ accountId: account._id, customer: { phone: CUSTOMER_WA_ID }, profileName: CUSTOMER_NAME, channelId: CHANNEL });
  await setThread(conversation._id, CHANNEL, THREAD_TS);
  await recordInbound(conversation, { at: service.clock.now(), preview: 'Is my order ready?' }, [120, 30]);
  conversationId = String(conversation._id);
  const reply = await SavedReplyModel.create({ accountId: account._id, name: REPLY_NAME, nameKey: REPLY_NAME.toLowerCase(), text: REPLY_TEXT });
  replyId = String(reply._id);
});

afterAll(async () => {
  await service.stop();
  nock.cleanAll();
});

/** Every document of every collection: a refused request leaves all of them as they were. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('no database');
  const collections = await db.collections();
  const entries = await Promise.all(collections.map(async (c) => [c.collectionName, await c.find({}).sort({ _id: 1 }).toArray()] as const));
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

const listMeta = () => JSON.stringify({ accountId, page: 0 });
const inModal = (privateMetadata: string) => viewContainer({ id: 'V0MODAL', type: 'modal', privateMetadata, teamId: FOREIGN_TEAM });
const inHome = () => viewContainer({ id: 'V0HOME', type: 'home', teamId: FOREIGN_TEAM });
const inMessage = {
  container: { type: 'message', message_ts: THREAD_TS, channel_id: CHANNEL },
  channel: { id: CHANNEL, name: 'sales' },
  response_url: `${RESPONSE_HOST}/actions/${FOREIGN_TEAM}/1/xyz`,
};
const button = (action_id: string, value: string) => ({ type: 'button', action_id, value });
const click = (where: object, action: Record<string, unknown>) => blockActionsBody(FOREIGN_ADMIN, where, action, FOREIGN_TEAM);
const submit = (callbackId: string, state: object, privateMetadata: string) =>
  viewSubmissionBody(FOREIGN_ADMIN, callbackId, state, privateMetadata, 'V0MODAL', FOREIGN_TEAM);
const command = (text: string) =>
  slashCommandBody({
    team_id: FOREIGN_TEAM,
    team_domain: 'other',
    user_id: FOREIGN_ADMIN,
    channel_id: CHANNEL,
    text,
    response_url: `${RESPONSE_HOST}/commands/${FOREIGN_TEAM}/1/abc`,
  });
const event = (payload: Record<string, unknown>) =>
  JSON.stringify({
    type: 'event_callback',
    team_id: FOREIGN_TEAM,
    api_app_id: 'A0001',
    event: payload,
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: 1,
    authorizations: [{ team_id: FOREIGN_TEAM, user_id: 'UBOT', is_bot: true }],
  });
const reactionAdded = (reaction: string) =>
  event({ type: 'reaction_added', user: FOREIGN_ADMIN, reaction, item: { type: 'message', channel: CHANNEL, ts: THREAD_TS }, item_user: 'UBOT', event_ts: '2.0' });
const threadMessage = (text: string, ts: string) =>
  event({ type: 'message', channel: CHANNEL, user: FOREIGN_ADMIN, text, ts, thread_ts: THREAD_TS, channel_type: 'channel', event_ts: ts });

interface Case {
  /** The command, action_id, callback_id or event type it exercises. */
  exercises: string;
  body: () => string;
  json?: boolean;
}

const sendValues = { values: { tpl_var_body_1: { value: { type: 'plain_text_input', value: '50%' } } } };
const cases: Record<string, Case> = {
  '/whatsapp accounts': { exercises: 'command:accounts', body: () => command('accounts') },
  '/whatsapp templates <their account>': { exercises: 'command:templates', body: () => command(`templates ${ACCOUNT_NAME}`) },
  '/whatsapp templates': { exercises: 'command:templates', body: () => command('templates') },
  '/whatsapp send <their account> <their customer>': { exercises: 'command:send', body: () => command(`send ${ACCOUNT_NAME} +${CUSTOMER_WA_ID}`) },
  '/whatsapp expiring': { exercises: 'command:expiring', body: () => command('expiring') },
  '/whatsapp connect': { exercises: 'command:connect', body: () => command('connect') },
  '/whatsapp help': { exercises: 'command:help', body: () => command('help') },

  'Add WhatsApp Account': { exercises: ACCOUNT_ACTIONS.add, body: () => click(inHome(), button(ACCOUNT_ACTIONS.add, 'add')) },
  'account ON/OFF': { exercises: ACCOUNT_ACTIONS.toggle, body: () => click(inHome(), button(ACCOUNT_ACTIONS.toggle, accountId)) },
  'account Settings': { exercises: ACCOUNT_ACTIONS.settings, body: () => click(inHome(), button(ACCOUNT_ACTIONS.settings, accountId)) },
  'account Disconnect': { exercises: ACCOUNT_ACTIONS.disconnect, body: () => click(inHome(), button(ACCOUNT_ACTIONS.disconnect, accountId)) },
  'account Move to Cloud API or BSP': { exercises: ACCOUNT_ACTIONS.move, body: () => click(inHome(), button(ACCOUNT_ACTIONS.move, accountId)) },
  'connect form (another workspace may connect its own; an empty form is refused)': {
    exercises: ACCOUNT_CALLBACKS.connect,
    body: () => submit(ACCOUNT_CALLBACKS.connect, connectState({}), JSON.stringify({ form: 'connect' })),
  },
  'move form (valid values: the account is looked up in the workspace before WhatsApp is asked)': {
    exercises: ACCOUNT_CALLBACKS.move,
    body: () =>
      submit(
        ACCOUNT_CALLBACKS.move,
        connectState({ kind: 'cloud', apiUrl: 'https://graph.facebook.com/v23.0', token: 'EAAG-taken-over', phoneNumberId: '123456' }),
        JSON.stringify({ accountId, name: 'Taken Over' }),
      ),
  },
  'settings form': {
    exercises: ACCOUNT_CALLBACKS.settings,
    body: () => submit(ACCOUNT_CALLBACKS.settings, settingsState({ name: 'Taken Over', enabled: 'off', channelId: 'C9OTHER' }), JSON.stringify({ accountId })),
  },

  'template list from the account': { exercises: TEMPLATE_ACTIONS.open, body: () => click(inMessage, button(TEMPLATE_ACTIONS.open, accountId)) },
  'template list page': { exercises: TEMPLATE_ACTIONS.page, body: () => click(inModal(listMeta()), button(`${TEMPLATE_ACTIONS.page}.1`, '0')) },
  'template list Refresh': { exercises: TEMPLATE_ACTIONS.refresh, body: () => click(inModal(listMeta()), button(TEMPLATE_ACTIONS.refresh, 'refresh')) },
  'template ON/OFF': { exercises: TEMPLATE_ACTIONS.toggle, body: () => click(inModal(listMeta()), button(TEMPLATE_ACTIONS.toggle, `${templateId}:off`)) },
  'Add HSM Template': { exercises: TEMPLATE_ACTIONS.add, body: () => click(inModal(listMeta()), button(TEMPLATE_ACTIONS.add, accountId)) },
  'template Delete': { exercises: TEMPLATE_ACTIONS.delete, body: () => click(inModal(listMeta()), button(TEMPLATE_ACTIONS.delete, templateId)) },
  'preview Back': {
    exercises: TEMPLATE_ACTIONS.back,
    body: () => click(inModal(JSON.stringify({ accountId, draftId })), button(TEMPLATE_ACTIONS.back, 'back')),
  },
  'Send template in a thread or window alert': { exercises: TEMPLATE_ACTIONS.send, body: () => click(inMessage, button(TEMPLATE_ACTIONS.send, conversationId)) },
  'picking a template to send': {
    exercises: TEMPLATE_ACTIONS.pick,
    body: () =>
      click(inModal(JSON.stringify({ accountId, waId: CUSTOMER_WA_ID })), {
        type: 'static_select',
        action_id: TEMPLATE_ACTIONS.pick,
        selected_option: { value: templateId, text: { type: 'plain_text', text: 'x' } },
      }),
  },
  'template form Next': {
    exercises: TEMPLATE_VIEWS.form,
    body: () =>
      submit(
        TEMPLATE_VIEWS.form,
        formState({ name: 'taken_over', language: 'en_US', category: 'UTILITY', body: 'Hello {{1}} from us.', examples: 'Budi' }),
        JSON.stringify({ accountId }),
      ),
  },
  'template preview Submit': { exercises: TEMPLATE_VIEWS.preview, body: () => submit(TEMPLATE_VIEWS.preview, { values: {} }, JSON.stringify({ accountId, draftId })) },
  'template delete confirmation': {
    exercises: TEMPLATE_VIEWS.deleteConfirm,
    body: () => submit(TEMPLATE_VIEWS.deleteConfirm, { values: {} }, JSON.stringify({ templateId, listViewId: 'V0LIST', listPage: 0 })),
  },
  'send modal Send': {
    exercises: TEMPLATE_VIEWS.send,
    body: () => submit(TEMPLATE_VIEWS.send, sendValues, JSON.stringify({ accountId, waId: CUSTOMER_WA_ID, templateId })),
  },

  'a reply in their conversation thread': { exercises: 'event:message', json: true, body: () => threadMessage('Hello from elsewhere', '1767500100.000200') },
  'a note in their conversation thread': { exercises: 'event:message', json: true, body: () => threadMessage('~ a note from elsewhere', '1767500100.000300') },
  'account list page': { exercises: ACCOUNT_ACTIONS.page, body: () => click(inMessage, button(`${ACCOUNT_ACTIONS.page}.1`, '1')) },
  'expiring list page': { exercises: WINDOW_PAGE_ACTION, body: () => click(inHome(), button(`${WINDOW_PAGE_ACTION}.1`, '1')) },
  'Retry what Slack refused': { exercises: SET_ASIDE_ACTIONS.retry, body: () => click(inHome(), button(SET_ASIDE_ACTIONS.retry, accountId)) },
  'Claim on their thread root': { exercises: INBOX_ACTIONS.claim, body: () => click(inMessage, button(INBOX_ACTIONS.claim, conversationId)) },
  'Assign to… on their thread root': { exercises: INBOX_ACTIONS.assign, body: () => click(inMessage, button(INBOX_ACTIONS.assign, conversationId)) },
  'Unassign on their thread root': { exercises: INBOX_ACTIONS.unassign, body: () => click(inMessage, button(INBOX_ACTIONS.unassign, conversationId)) },
  'Resolve on their thread root': { exercises: INBOX_ACTIONS.resolve, body: () => click(inMessage, button(INBOX_ACTIONS.resolve, conversationId)) },
  'Pending on their thread root': { exercises: INBOX_ACTIONS.pending, body: () => click(inMessage, button(INBOX_ACTIONS.pending, conversationId)) },
  'Reopen on their thread root': { exercises: INBOX_ACTIONS.reopen, body: () => click(inMessage, button(INBOX_ACTIONS.reopen, conversationId)) },
  'assigning their conversation to oneself': {
    exercises: INBOX_VIEWS.assign,
    body: () =>
      submit(INBOX_VIEWS.assign, { values: { inbox_assignee: { user: { type: 'users_select', selected_user: FOREIGN_ADMIN } } } }, JSON.stringify({ conversationId })),
  },
  '/whatsapp queue': { exercises: 'command:queue', body: () => command('queue') },
  '/whatsapp queue all <their account>': { exercises: 'command:queue', body: () => command(`queue all ${ACCOUNT_NAME}`) },
  ...Object.fromEntries(
    QUEUES.flatMap((queue) => [
      [`${queue} queue page on the Home tab`, { exercises: queuePageAction(queue), body: () => click(inHome(), button(`${queuePageAction(queue)}.1`, queuePagerValue(1))) }],
      [
        `${queue} queue page of their account in a message`,
        { exercises: queuePageAction(queue), body: () => click(inMessage, button(`${queuePageAction(queue)}.0`, queuePagerValue(0, accountId))) },
      ],
    ]),
  ),
  '/whatsapp replies <their account>': { exercises: 'command:replies', body: () => command(`replies ${ACCOUNT_NAME}`) },
  '/whatsapp replies': { exercises: 'command:replies', body: () => command('replies') },
  'Saved replies on their account': { exercises: SAVED_REPLY_ACTIONS.manage, body: () => click(inHome(), button(SAVED_REPLY_ACTIONS.manage, accountId)) },
  'Add saved reply to their account': { exercises: SAVED_REPLY_ACTIONS.add, body: () => click(inModal(JSON.stringify({ accountId })), button(SAVED_REPLY_ACTIONS.add, accountId)) },
  'Edit their saved reply': { exercises: SAVED_REPLY_ACTIONS.edit, body: () => click(inModal(JSON.stringify({ accountId })), button(SAVED_REPLY_ACTIONS.edit, replyId)) },
  'Delete their saved reply': {
    exercises: SAVED_REPLY_ACTIONS.delete,
    body: () => click(inModal(JSON.stringify({ accountId, replyId, listViewId: 'V0LIST' })), button(SAVED_REPLY_ACTIONS.delete, replyId)),
  },
  'saving a saved reply into their account': {
    exercises: SAVED_REPLY_VIEWS.form,
    body: () =>
      submit(
        SAVED_REPLY_VIEWS.form,
        { values: { reply_name: { value: { type: 'plain_text_input', value: 'Taken over' } }, reply_text: { value: { type: 'plain_text_input', value: 'x' } } } },
        JSON.stringify({ accountId, replyId, listViewId: 'V0LIST' }),
      ),
  },
  'Saved reply on their thread root': { exercises: SAVED_REPLY_ACTIONS.use, body: () => click(inMessage, button(SAVED_REPLY_ACTIONS.use, conversationId)) },
  'picking their saved reply for their conversation': {
    exercises: SAVED_REPLY_ACTIONS.pick,
    body: () =>
      click(inModal(JSON.stringify({ conversationId })), {
        type: 'static_select',
        action_id: SAVED_REPLY_ACTIONS.pick,
        selected_option: { value: replyId, text: { type: 'plain_text', text: 'x' } },
      }),
  },
  'sending their saved reply to their customer': {
    exercises: SAVED_REPLY_VIEWS.use,
    body: () => submit(SAVED_REPLY_VIEWS.use, { values: { [sendTextBlock(replyId)]: { value: { type: 'plain_text_input', value: 'Hello from elsewhere' } } } }, JSON.stringify({ conversationId, replyId })),
  },
  'Contact on their thread root': { exercises: CONTACT_ACTION, body: () => click(inMessage, button(CONTACT_ACTION, conversationId)) },
  'saving their customer’s contact card': {
    exercises: CONTACT_VIEW,
    body: () =>
      submit(
        CONTACT_VIEW,
        { values: { contact_tags: { value: { type: 'plain_text_input', value: 'taken' } }, contact_notes: { value: { type: 'plain_text_input', value: 'over' } } } },
        JSON.stringify({ conversationId }),
      ),
  },
  '/whatsapp queue #tag': { exercises: 'command:queue', body: () => command('queue all #vip') },
  'Business hours & targets of their account': {
    exercises: SLA_ACTIONS.open,
    body: () => click(inModal(JSON.stringify({ accountId })), button(SLA_ACTIONS.open, accountId)),
  },
  'saving business hours, targets and an away reply into their account': {
    exercises: SLA_VIEWS.settings,
    body: () =>
      submit(
        SLA_VIEWS.settings,
        {
          values: {
            [SLA_FIELDS.timeZone]: { value: { type: 'plain_text_input', value: 'Asia/Jakarta' } },
            [SLA_FIELDS.hours]: { value: { type: 'plain_text_input', value: 'Mon-Fri 08:00-17:00' } },
            [SLA_FIELDS.first]: { value: { type: 'plain_text_input', value: '1' } },
            [SLA_FIELDS.next]: { value: { type: 'plain_text_input', value: '1' } },
            [SLA_FIELDS.warn]: { value: { type: 'plain_text_input', value: '0' } },
            [SLA_FIELDS.awayReply]: { value: { type: 'plain_text_input', value: 'Taken over' } },
          },
        },
        JSON.stringify({ accountId }),
      ),
  },
  '👀 on their thread root': { exercises: 'event:reaction_added', json: true, body: () => reactionAdded('eyes') },
  '✅ on their thread root': { exercises: 'event:reaction_added', json: true, body: () => reactionAdded('white_check_mark') },
  '/whatsapp stats': { exercises: 'command:stats', body: () => command('stats') },
  '/whatsapp stats <their account> 30d': { exercises: 'command:stats', body: () => command(`stats ${ACCOUNT_NAME} 30d`) },
  '/whatsapp export': { exercises: 'command:export', body: () => command('export') },
  'metrics 30 days on the Home tab': { exercises: METRICS_ACTIONS.period, body: () => click(inHome(), button(`${METRICS_ACTIONS.period}.30d`, metricsValue('30d', 0))) },
  'metrics 30 days of their account in a message': {
    exercises: METRICS_ACTIONS.period,
    body: () => click(inMessage, button(`${METRICS_ACTIONS.period}.30d`, metricsValue('30d', 0, accountId))),
  },
  'metrics page of their account in a message': { exercises: METRICS_ACTIONS.page, body: () => click(inMessage, button(`${METRICS_ACTIONS.page}.1`, metricsValue('7d', 1, accountId))) },
  'Export CSV on the Home tab': { exercises: METRICS_ACTIONS.export, body: () => click(inHome(), button(METRICS_ACTIONS.export, 'export')) },
  'exporting conversations (their workspace’s must not come out)': {
    exercises: METRICS_VIEWS.export,
    body: () =>
      submit(
        METRICS_VIEWS.export,
        { values: { export_from: { date: { type: 'datepicker', selected_date: '2025-12-01' } }, export_to: { date: { type: 'datepicker', selected_date: '2026-01-01' } } } },
        '',
      ),
  },
  'the App Home': {
    exercises: 'event:app_home_opened',
    json: true,
    body: () => event({ type: 'app_home_opened', user: FOREIGN_ADMIN, channel: 'D9', tab: 'home', event_ts: '1.0' }),
  },
};

it('covers every command, action, view submission and event a Slack user can send', () => {
  const every = [
    ...Object.keys(subcommands).map((name) => `command:${name}`),
    ...Object.values(ACCOUNT_ACTIONS),
    ...Object.values(ACCOUNT_CALLBACKS),
    ...Object.values(TEMPLATE_ACTIONS),
    ...Object.values(SET_ASIDE_ACTIONS),
    WINDOW_PAGE_ACTION,
    ...Object.values(INBOX_ACTIONS),
    ...Object.values(INBOX_VIEWS),
    ...QUEUES.map(queuePageAction),
    ...Object.values(SAVED_REPLY_ACTIONS),
    CONTACT_ACTION,
    CONTACT_VIEW,
    ...Object.values(SLA_ACTIONS),
    ...Object.values(SLA_VIEWS),
    ...Object.values(METRICS_ACTIONS),
    ...Object.values(METRICS_VIEWS),
    // The list of saved replies has no submit button.
    ...Object.values(SAVED_REPLY_VIEWS).filter((v) => v !== SAVED_REPLY_VIEWS.list),
    // The list, and the done notice, are never submitted: they have no submit button.
    ...Object.values(TEMPLATE_VIEWS).filter((v) => v !== TEMPLATE_VIEWS.list && v !== TEMPLATE_VIEWS.done),
    'event:message',
    'event:app_home_opened',
    'event:reaction_added',
  ];
  expect(new Set(Object.values(cases).map((c) => c.exercises))).toEqual(new Set(every));
});

it.each(Object.entries(cases))('refuses %s from another workspace', async (_name, c) => {
  slack.clear();
  whatsapp.length = 0;
  const before = await snapshot();
  const logged = service.logLines.length;

  const res = await postToSlackEvents(service.url, c.body(), { now: service.clock.now(), ...(c.json ? { contentType: 'application/json' } : {}) });
  const ack = await res.text();
  await service.slackSettled();

  expect(res.status).toBe(200);
  expect(await snapshot()).toEqual(before);
  expect(whatsapp).toEqual([]);
  const shown = [ack, ...slack.calls.map((call) => JSON.stringify(call.params)), ...slack.responses.map((r) => JSON.stringify(r))].join('\n');
  // Names, texts and numbers, and the ids too: a screen carrying them would act on this workspace.
  for (const secret of [...SECRETS, accountId, templateId, draftId, conversationId, replyId]) expect(shown).not.toContain(secret);
  expect(service.logLines.slice(logged).join('\n')).not.toMatch(/slack listener failed/);
});

