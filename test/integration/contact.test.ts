import { CONTACT_ACTION, CONTACT_VIEW } from '../../src/bot/views/contact';
import { AuditModel, ConversationModel, MessageModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { clearConversations, createAccount, postWebhook, textDelivery } from '../fixtures/conversations';
import { AGENT, CHANNEL, OUTSIDER, slackSuite, textOf } from './templates-harness';

/**
 * The contact card end to end: Contact on the thread root shows who the customer is and their history
 * with us; agents keep tags (on the root, and as a queue filter) and notes, audited.
 */

const HOUR = 60 * 60 * 1000;
const START = new Date('2026-01-05T03:00:00Z');
const CUSTOMER = '6281200000099';

const suite = slackSuite(START);
let account: AccountDocument;
let other: AccountDocument;
let conversation: ConversationDocument;
let seq = 0;

beforeAll(async () => {
  account = await createAccount(suite.service, { name: 'Toko Card', nameKey: 'toko card' });
  other = await createAccount(suite.service, { name: 'Toko Lain', nameKey: 'toko lain', phoneNumberId: '999', channelId: 'C0OTHER' });
});
beforeEach(async () => {
  await Promise.all([clearConversations(), AuditModel.deleteMany({})]);
  for (const body of ['halo', 'ada stok?']) {
    await postWebhook(suite.service, String(account._id), textDelivery({ wamid: `wamid.CC${++seq}`, from: CUSTOMER, name: 'Sari', at: new Date(START.getTime() - HOUR), body }));
  }
  await suite.service.outbox.drain();
  const found = await ConversationModel.findOne({ accountId: account._id }).lean();
  if (!found?.threadTs) throw new Error('no thread');
  conversation = found;
  // The same customer also talks to the workspace's other account.
  await ConversationModel.create({ accountId: other._id, waId: CUSTOMER, profileName: 'Sari', channelId: 'C0OTHER' });
  // WhatsApp refused a marketing template: she opted out.
  await MessageModel.create({
    key: `opt-out-${seq}`,
    accountId: account._id,
    conversationId: conversation._id,
    direction: 'outbound',
    type: 'template',
    sentAt: new Date(START.getTime() - 2 * HOUR),
    sender: { kind: 'slack', id: AGENT },
    status: 'failed',
    error: { code: 131050, title: 'opted out', meaning: 'recipient_opted_out_marketing' },
  });
  suite.slack.clear();
});

async function settle<T>(work: Promise<T>): Promise<T> {
  const result = await work;
  await suite.service.slackSettled();
  return result;
}

const cardState = (tags: string, notes: string) => ({ values: { contact_tags: { value: { type: 'plain_text_input', value: tags } }, contact_notes: { value: { type: 'plain_text_input', value: notes } } } });

it('shows the customer, first seen, conversations and messages, the opt-out, and saves tags and notes, shown on the root and audited', async () => {
  await settle(suite.slack.click(AGENT, CONTACT_ACTION, String(conversation._id)));
  const { view } = await suite.slack.waitView('views.open', (v) => v.callback_id === CONTACT_VIEW);
  const shown = textOf(view);
  expect(shown).toContain('*Sari*  +6281200000099');
  expect(shown).toContain('First seen <!date^');
  expect(shown).toContain('2 conversations with this workspace’s accounts');
  expect(shown).toContain('2 messages from the customer, 1 from the team');
  expect(shown).toContain('Opted out of marketing messages');

  const res = await settle(suite.slack.submit(AGENT, CONTACT_VIEW, cardState('VIP, #reseller', 'Prefers delivery after 5pm'), view.private_metadata ?? ''));
  expect(res.json).toBeUndefined();
  const stored = await ConversationModel.findById(conversation._id).lean();
  expect(stored).toMatchObject({ tags: ['vip', 'reseller'], notes: 'Prefers delivery after 5pm' });
  await suite.service.outbox.drain();
  const update = suite.slack.calls.filter((c) => c.method === 'chat.update' && c.params.ts === conversation.threadTs).at(-1);
  expect(JSON.stringify(update?.params)).toContain('`vip` `reseller`');
  const [entry] = await AuditModel.find({}).lean();
  expect(entry).toMatchObject({ action: 'contact.update', actorId: AGENT, accountId: String(account._id), before: { tags: [], notes: '' }, after: { tags: ['vip', 'reseller'] } });

  // Opened again, it shows what was saved.
  suite.slack.clear();
  await settle(suite.slack.click(AGENT, CONTACT_ACTION, String(conversation._id)));
  const again = await suite.slack.waitView('views.open', (v) => v.callback_id === CONTACT_VIEW);
  expect(textOf(again.view)).toContain('"initial_value":"vip, reseller"');
});

it('refuses a tag that is not one, on the field, changing nothing', async () => {
  const meta = JSON.stringify({ conversationId: String(conversation._id) });
  const res = await settle(suite.slack.submit(AGENT, CONTACT_VIEW, cardState('vip <b>', ''), meta));
  expect(res.json).toMatchObject({ response_action: 'errors', errors: { contact_tags: expect.stringContaining('is not a tag') } });
  expect((await ConversationModel.findById(conversation._id).lean())?.tags).toBeUndefined();
  expect(await AuditModel.countDocuments({})).toBe(0);
});

it('lets /whatsapp queue #tag list only the customers with that tag', async () => {
  await ConversationModel.updateOne({ _id: conversation._id }, { $set: { tags: ['vip'] } });
  await ConversationModel.create({ accountId: account._id, waId: '6281200000100', profileName: 'Budi', channelId: CHANNEL, threadTs: '1767500000.009999', windowClosesAt: new Date(START.getTime() + HOUR) });
  await settle(suite.slack.command(AGENT, 'queue all #VIP'));
  const shown = JSON.stringify(suite.slack.responses.at(-1));
  expect(shown).toContain('Tag: vip');
  expect(shown).toContain('*Sari*');
  expect(shown).not.toContain('*Budi*');
});

it('is not shown to someone outside the account’s channel', async () => {
  await settle(suite.slack.click(OUTSIDER, CONTACT_ACTION, String(conversation._id)));
  expect(suite.slack.views('views.open')).toEqual([]);
  expect(String(suite.slack.responses.at(-1)?.text)).toContain('Only members of the account’s channel');
});
