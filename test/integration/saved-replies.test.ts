import nock from 'nock';
import { SAVED_REPLY_ACTIONS, SAVED_REPLY_SHORTCUT, SAVED_REPLY_VIEWS, sendTextBlock } from '../../src/bot/views/saved-replies';
import { AuditModel, ConversationModel, MessageModel, SavedReplyModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { expectValidSendBody, sendOk } from '../fakes/whatsapp-contract';
import { GRAPH_API, PHONE_NUMBER_ID, clearConversations, createAccount, postWebhook, textDelivery } from '../fixtures/conversations';
import { ADMIN, AGENT, CHANNEL, OUTSIDER, metadataOf, slackSuite, textOf } from './templates-harness';

/**
 * Saved replies end to end: admins manage them per account in modals (from `/whatsapp replies` and the
 * account list), agents send one from the thread root: picked, filled in, edited, sent to WhatsApp under
 * the 24-hour rule, and shown in the thread as theirs.
 */

const HOUR = 60 * 60 * 1000;
const CUSTOMER = '6281200000088';
const START = new Date('2026-01-05T03:00:00Z');

const suite = slackSuite(START);
let account: AccountDocument;
let conversation: ConversationDocument;
let seq = 0;

beforeAll(async () => {
  account = await createAccount(suite.service, { name: 'Toko Sari', nameKey: 'toko sari' });
});
beforeEach(async () => {
  await Promise.all([clearConversations(), SavedReplyModel.deleteMany({}), AuditModel.deleteMany({})]);
  await postWebhook(suite.service, String(account._id), textDelivery({ wamid: `wamid.SR${++seq}`, from: CUSTOMER, name: 'Sari', at: new Date(START.getTime() - HOUR), body: 'is it in stock?' }));
  await suite.service.outbox.drain();
  const found = await ConversationModel.findOne({}).lean();
  if (!found?.threadTs) throw new Error('no thread');
  conversation = found;
  suite.slack.clear();
});

const LIST = 'V0LIST';
const listMeta = () => JSON.stringify({ accountId: String(account._id) });
const formState = (name: string, text: string) => ({ values: { reply_name: { value: { type: 'plain_text_input', value: name } }, reply_text: { value: { type: 'plain_text_input', value: text } } } });

async function settle<T>(work: Promise<T>): Promise<T> {
  const result = await work;
  await suite.service.slackSettled();
  return result;
}

/** Adds a reply as an admin does: Add in the list, then the form. */
async function addReply(name: string, text: string) {
  await settle(suite.slack.click(ADMIN, SAVED_REPLY_ACTIONS.add, String(account._id), { id: LIST, privateMetadata: listMeta() }));
  const form = suite.slack.views('views.push').at(-1)?.view;
  if (!form) throw new Error('no form');
  return settle(suite.slack.submit(ADMIN, SAVED_REPLY_VIEWS.form, formState(name, text), form.private_metadata ?? ''));
}

describe('admins manage saved replies', () => {
  it('from /whatsapp replies: add with placeholders, refusing unknown ones and a taken name; edit; delete; each audited', async () => {
    await settle(suite.slack.command(ADMIN, 'replies Toko Sari'));
    const { view: list } = await suite.slack.waitView('views.open', (v) => v.callback_id === SAVED_REPLY_VIEWS.list);
    expect(textOf(list)).toContain('No saved replies yet');

    const unknown = await addReply('Shipping', 'Hi {{name}}, your {{order}} ships today.');
    expect(unknown.json).toMatchObject({ response_action: 'errors', errors: { reply_text: expect.stringContaining('{{order}}') } });
    const ok = await addReply('Shipping', 'Hi {{name}}, this is {{agent}}. Your order ships today.');
    expect(ok.json).toBeUndefined();
    const updated = suite.slack.views('views.update').find((v) => v.viewId === LIST);
    expect(textOf(updated?.view)).toContain('“Shipping” was saved');
    expect(textOf(updated?.view)).toContain('*Shipping*');
    const taken = await addReply(' shipping ', 'Another text');
    expect(taken.json).toMatchObject({ response_action: 'errors', errors: { reply_name: expect.stringContaining('has this name') } });

    const reply = await SavedReplyModel.findOne({});
    const id = String(reply?._id);
    await settle(suite.slack.click(ADMIN, SAVED_REPLY_ACTIONS.edit, id, { id: LIST, privateMetadata: listMeta() }));
    const form = suite.slack.views('views.push').at(-1)?.view ?? {};
    expect(metadataOf(form)).toMatchObject({ replyId: id, listViewId: LIST });
    expect(textOf(form)).toContain('this is {{agent}}');
    await settle(suite.slack.submit(ADMIN, SAVED_REPLY_VIEWS.form, formState('Shipping', 'Hi {{name}}, it ships tomorrow.'), form.private_metadata ?? ''));
    expect((await SavedReplyModel.findById(id))?.text).toBe('Hi {{name}}, it ships tomorrow.');

    await settle(suite.slack.click(ADMIN, SAVED_REPLY_ACTIONS.delete, id, { id: 'V0FORM', privateMetadata: form.private_metadata ?? '' }));
    expect(await SavedReplyModel.findById(id)).toBeNull();
    expect(textOf(suite.slack.views('views.update').filter((v) => v.viewId === LIST).at(-1)?.view)).toContain('“Shipping” was deleted');

    const entries = await AuditModel.find({}).sort({ _id: 1 }).lean();
    expect(entries.map((e) => [e.action, e.actorId, e.accountId, e.subject])).toEqual(
      ['saved_reply.create', 'saved_reply.update', 'saved_reply.delete'].map((action) => [action, ADMIN, String(account._id), `saved_reply:${id}`]),
    );
  });

  it('from the account list; agents may not manage them', async () => {
    await settle(suite.slack.click(ADMIN, SAVED_REPLY_ACTIONS.manage, String(account._id)));
    await suite.slack.waitView('views.open', (v) => v.callback_id === SAVED_REPLY_VIEWS.list);
    await settle(suite.slack.command(AGENT, 'replies'));
    expect(String(suite.slack.responses.at(-1)?.text)).toMatch(/Only .*admins/i);
    const res = await settle(suite.slack.submit(AGENT, SAVED_REPLY_VIEWS.form, formState('Sneaky', 'text'), JSON.stringify({ accountId: String(account._id), listViewId: LIST })));
    expect(res.status).toBe(200);
    expect(await SavedReplyModel.countDocuments({})).toBe(0);
  });
});

describe('agents send a saved reply from the thread', () => {
  async function openAndPick(user: string): Promise<{ meta: string; filled: string }> {
    await SavedReplyModel.create({ accountId: account._id, name: 'Shipping', nameKey: 'shipping', text: 'Hi {{name}}, this is {{agent}}. Your order ships today.' });
    const reply = await SavedReplyModel.findOne({});
    await settle(suite.slack.click(user, SAVED_REPLY_ACTIONS.use, String(conversation._id)));
    const { view } = await suite.slack.waitView('views.open', (v) => v.callback_id === SAVED_REPLY_VIEWS.use);
    await settle(
      suite.slack.action(user, { type: 'static_select', action_id: SAVED_REPLY_ACTIONS.pick, selected_option: { value: String(reply?._id), text: { type: 'plain_text', text: 'Shipping' } } }, {
        id: 'V0USE',
        privateMetadata: view.private_metadata ?? '',
      }),
    );
    const picked = suite.slack.views('views.update').find((v) => v.viewId === 'V0USE')?.view ?? {};
    const input = (picked.blocks ?? []).find((b) => b.block_id === sendTextBlock(String(reply?._id)));
    const element = input?.element;
    const filled = typeof element === 'object' && element !== null && 'initial_value' in element ? String(element.initial_value) : '';
    return { meta: picked.private_metadata ?? '', filled };
  }

  const sendState = (replyId: string, text: string) => ({ values: { [sendTextBlock(replyId)]: { value: { type: 'plain_text_input', value: text } } } });

  it('fills in the customer’s and the agent’s names, sends the edited text to WhatsApp, and shows it in the thread as theirs', async () => {
    const { meta, filled } = await openAndPick(AGENT);
    expect(filled).toBe('Hi Sari, this is Rina. Your order ships today.');
    const bodies: unknown[] = [];
    nock(GRAPH_API)
      .post(`/${PHONE_NUMBER_ID}/messages`, (b: unknown) => (bodies.push(b), true))
      .reply(200, sendOk('wamid.SAVED1', CUSTOMER));
    const replyId = String((await SavedReplyModel.findOne({}))?._id);
    const res = await settle(suite.slack.submit(AGENT, SAVED_REPLY_VIEWS.use, sendState(replyId, `${filled} See you!`), meta, 'V0USE'));
    expect(res.json).toBeUndefined();
    await suite.service.outbox.drain();
    expect(bodies).toHaveLength(1);
    expect(expectValidSendBody(bodies[0])).toMatchObject({ type: 'text', text: { body: 'Hi Sari, this is Rina. Your order ships today. See you!' } });
    const shown = suite.slack.posts().find((p) => String(p.params.text).includes('sent a saved reply'));
    expect(shown?.params).toMatchObject({ channel: CHANNEL, thread_ts: conversation.threadTs });
    expect(String(shown?.params.text)).toContain(`<@${AGENT}> sent a saved reply:\nHi Sari, this is Rina.`);
    const message = await MessageModel.findOne({ direction: 'outbound' });
    expect(message).toMatchObject({ status: 'sent', wamid: 'wamid.SAVED1', sender: { kind: 'slack', id: AGENT } });
    // The post is the message in Slack: delivery reactions go on it.
    expect(message?.slackTs).toEqual(expect.any(String));
    expect(suite.slack.calls.some((c) => c.method === 'reactions.add' && c.params.timestamp === message?.slackTs)).toBe(true);

    // The same modal submitted again (a retried request) sends nothing more.
    await settle(suite.slack.submit(AGENT, SAVED_REPLY_VIEWS.use, sendState(replyId, 'again'), meta, 'V0USE'));
    await suite.service.outbox.drain();
    expect(bodies).toHaveLength(1);
  });

  it('is refused after the 24-hour window closes, on the field, and nothing is sent', async () => {
    const { meta, filled } = await openAndPick(AGENT);
    suite.service.clock.advance(24 * HOUR);
    const replyId = String((await SavedReplyModel.findOne({}))?._id);
    const res = await settle(suite.slack.submit(AGENT, SAVED_REPLY_VIEWS.use, sendState(replyId, filled), meta, 'V0USE'));
    expect(res.json).toMatchObject({ response_action: 'errors', errors: { [sendTextBlock(replyId)]: expect.stringContaining('Not sent: the 24-hour window closed') } });
    await suite.service.outbox.drain();
    expect(await MessageModel.countDocuments({ direction: 'outbound' })).toBe(0);
  });

  it('is not offered to someone outside the account’s channel', async () => {
    await settle(suite.slack.click(OUTSIDER, SAVED_REPLY_ACTIONS.use, String(conversation._id)));
    expect(suite.slack.views('views.open')).toEqual([]);
    expect(String(suite.slack.responses.at(-1)?.text)).toContain('Only members of the account’s channel');
  });

  describe('from the message shortcut on any message of the thread', () => {
    /** A `message_action`, as Slack posts it when someone picks the shortcut on a message. */
    const shortcut = (userId: string, message: { ts: string; thread_ts?: string }, teamId = 'T0001') =>
      suite.slack.post(
        new URLSearchParams({
          payload: JSON.stringify({
            type: 'message_action',
            callback_id: SAVED_REPLY_SHORTCUT,
            trigger_id: '1.2.shortcut',
            action_ts: '1.2',
            message_ts: message.ts,
            team: { id: teamId, domain: 'acme' },
            user: { id: userId, name: userId.toLowerCase(), team_id: teamId },
            channel: { id: CHANNEL, name: 'sales' },
            message: { type: 'message', user: 'U0SOMEONE', text: 'hmm', ...message },
            response_url: `https://hooks.slack.test/app/${teamId}/1/xyz`,
            api_app_id: 'A0001',
            token: 'deprecated',
          }),
        }).toString(),
      );

    it('opens the same saved-reply modal for a reply in the thread and for its root', async () => {
      const threadTs = conversation.threadTs ?? '';
      for (const message of [{ ts: '1767600000.000200', thread_ts: threadTs }, { ts: threadTs }]) {
        suite.slack.clear();
        await settle(shortcut(AGENT, message));
        const { view } = await suite.slack.waitView('views.open', (v) => v.callback_id === SAVED_REPLY_VIEWS.use);
        expect(metadataOf(view)).toMatchObject({ conversationId: String(conversation._id) });
      }
    });

    it('says so on a message outside any conversation thread, to an outsider, and to another workspace', async () => {
      for (const [user, message, teamId, says] of [
        [AGENT, { ts: '1767600000.000300' }, 'T0001', 'not in a WhatsApp conversation thread'],
        [OUTSIDER, { ts: conversation.threadTs ?? '' }, 'T0001', 'Only members of the account’s channel'],
        [AGENT, { ts: conversation.threadTs ?? '' }, 'T9999', 'not in a WhatsApp conversation thread'],
      ] as const) {
        suite.slack.clear();
        await settle(shortcut(user, message, teamId));
        const shown = suite.slack.views('views.open');
        expect(shown.map((v) => v.view.callback_id ?? '')).not.toContain(SAVED_REPLY_VIEWS.use);
        expect(textOf(shown[0]?.view)).toContain(says);
        expect(JSON.stringify(shown)).not.toContain('Shipping');
      }
    });
  });
});
