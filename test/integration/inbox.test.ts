import { INBOX_ACTIONS, INBOX_VIEWS } from '../../src/bot/views/inbox';
import { AuditModel, ConversationModel, WindowAlertModel, type AccountDocument, type ConversationDocument } from '../../src/store/models';
import { runSweep } from '../../src/window';
import { eventCallbackBody, postToSlackEvents } from '../helpers/slack';
import { clearConversations, createAccount, postWebhook, textDelivery } from '../fixtures/conversations';
import { ADMIN, ADMIN_ID, AGENT, CHANNEL, OUTSIDER, metadataOf, slackSuite, textOf, waitFor } from './templates-harness';

/**
 * Running the inbox from Slack, end to end: signed clicks, modal submissions and reactions into the
 * real service and database; Slack's Web API is the only fake. Claim, hand over, unassign, pending,
 * resolve; a new message reopens; a resolved conversation gets no window warnings.
 */

const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const CUSTOMER = '6281200000077';
const START = new Date('2026-01-05T03:00:00Z');

const suite = slackSuite(START, { EXPIRY_WARN_MINUTES: '120,30' });
let account: AccountDocument;
let conversation: ConversationDocument;
let seq = 0;

beforeAll(async () => {
  account = await createAccount(suite.service);
});
beforeEach(async () => {
  await clearConversations();
  await AuditModel.deleteMany({});
  await WindowAlertModel.deleteMany({});
  await customerWrites('do you ship to Bandung?', new Date(START.getTime() - HOUR));
  const found = await ConversationModel.findOne({}).lean();
  if (!found?.threadTs) throw new Error('no thread');
  conversation = found;
  suite.slack.clear();
});

async function customerWrites(body: string, at = suite.service.clock.now()): Promise<void> {
  const res = await postWebhook(suite.service, String(account._id), textDelivery({ wamid: `wamid.INBOX${++seq}`, from: CUSTOMER, name: 'Sari', at, body }));
  expect(res.status).toBe(200);
  await suite.service.outbox.drain();
}

const id = () => String(conversation._id);
const stored = async () => {
  const c = await ConversationModel.findById(conversation._id).lean();
  if (!c) throw new Error('conversation vanished');
  return c;
};
const audits = () => AuditModel.find({}).sort({ _id: 1 }).lean();

async function click(user: string, actionId: string): Promise<void> {
  const res = await suite.slack.click(user, actionId, id());
  expect(res.status).toBe(200);
  await suite.service.slackSettled();
}

const reaction = (user: string, name: string, ts: string) =>
  eventCallbackBody({ type: 'reaction_added', user, reaction: name, item: { type: 'message', channel: CHANNEL, ts }, item_user: 'UBOT' });

async function react(user: string, name: string, ts = conversation.threadTs ?? ''): Promise<void> {
  const res = await postToSlackEvents(suite.service.url, reaction(user, name, ts), { now: suite.service.clock.now(), contentType: 'application/json' });
  expect(res.status).toBe(200);
  await suite.service.slackSettled();
}

/** The latest version of the thread root, as chat.update last showed it. */
function rootShown(): string {
  const updates = suite.slack.calls.filter((c) => c.method === 'chat.update' && c.params.ts === conversation.threadTs);
  return JSON.stringify(updates.at(-1)?.params ?? {});
}

const told = () => suite.slack.responses.map((r) => String(r.text)).concat(suite.slack.calls.filter((c) => c.method === 'chat.postEphemeral').map((c) => String(c.params.text)));

describe('ownership', () => {
  it('shows a new thread root unassigned and open, with Claim and Resolve', async () => {
    await clearConversations();
    suite.slack.clear();
    await customerWrites('hello', START);
    const root = suite.slack.posts().find((p) => p.params.thread_ts === undefined);
    const shown = JSON.stringify(root?.params ?? {});
    expect(shown).toContain('Unassigned');
    expect(shown).toContain('Open');
    expect(shown).toContain(INBOX_ACTIONS.claim);
    expect(shown).toContain(INBOX_ACTIONS.resolve);
  });

  it('Claim makes the clicker the assignee, audited, and the root shows it in place', async () => {
    await click(AGENT, INBOX_ACTIONS.claim);
    expect((await stored()).assignee).toBe(AGENT);
    const [entry, ...more] = await audits();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ teamId: 'T0001', actorId: AGENT, action: 'conversation.claim', subject: `conversation:${id()}`, accountId: String(account._id), after: { assignee: AGENT } });
    await suite.service.outbox.drain();
    expect(rootShown()).toContain(`Assigned to <@${AGENT}>`);
    expect(rootShown()).toContain(INBOX_ACTIONS.unassign);
    expect(rootShown()).not.toContain(INBOX_ACTIONS.claim);
    // No new root: the same message is updated.
    expect(suite.slack.posts().filter((p) => p.params.thread_ts === undefined)).toEqual([]);
  });

  it('tells a second claimant, privately, who has it', async () => {
    await click(AGENT, INBOX_ACTIONS.claim);
    suite.slack.clear();
    await click(ADMIN, INBOX_ACTIONS.claim);
    expect((await stored()).assignee).toBe(AGENT);
    expect(told()).toEqual([expect.stringContaining(`<@${AGENT}> is already handling the conversation with *Sari*`)]);
    expect(suite.slack.responses[0]).toMatchObject({ response_type: 'ephemeral' });
    expect((await audits()).map((a) => a.action)).toEqual(['conversation.claim']);
  });

  it('lets exactly one of several agents claiming at the same moment win; the others are told who did', async () => {
    const claimants = [AGENT, ADMIN, ADMIN_ID];
    await Promise.all(claimants.map((user) => suite.slack.click(user, INBOX_ACTIONS.claim, id())));
    await suite.service.slackSettled();
    const winner = (await stored()).assignee;
    expect(claimants).toContain(winner);
    const claims = (await audits()).filter((a) => a.action === 'conversation.claim');
    expect(claims).toHaveLength(1);
    expect(claims[0]?.actorId).toBe(winner);
    const answers = told();
    expect(answers).toHaveLength(claimants.length - 1);
    for (const answer of answers) expect(answer).toContain(`<@${winner ?? ''}>`);
  });

  it('👀 on the root claims; on another message of the thread, or another emoji, it is just a reaction', async () => {
    await react(AGENT, 'eyes', '1767599999.000100');
    await react(AGENT, 'thumbsup');
    expect((await stored()).assignee ?? undefined).toBeUndefined();
    await react(AGENT, 'eyes');
    expect((await stored()).assignee).toBe(AGENT);
    expect((await audits()).map((a) => a.action)).toEqual(['conversation.claim']);
    await react(ADMIN, 'eyes');
    expect(told()).toEqual([expect.stringContaining(`<@${AGENT}> is already handling`)]);
  });

  it('Assign to… hands it to someone picked, who gets a DM; Unassign returns it to the queue', async () => {
    await click(AGENT, INBOX_ACTIONS.claim);
    await click(AGENT, INBOX_ACTIONS.assign);
    const { view } = await suite.slack.waitView('views.open', (v) => v.callback_id === INBOX_VIEWS.assign);
    expect(textOf(view)).toContain('users_select');
    expect(textOf(view)).toContain(`"initial_user":"${AGENT}"`);
    suite.slack.clear();

    const picked = { values: { inbox_assignee: { user: { type: 'users_select', selected_user: ADMIN_ID } } } };
    const res = await suite.slack.submit(AGENT, INBOX_VIEWS.assign, picked, JSON.stringify(metadataOf(view)));
    expect(res.status).toBe(200);
    await suite.service.slackSettled();
    expect((await stored()).assignee).toBe(ADMIN_ID);
    await suite.service.outbox.drain();
    const dm = await waitFor(() => suite.slack.posts().find((p) => p.params.channel === ADMIN_ID), 'the DM');
    // In the assignee's language (Indonesian), with a link to the thread.
    expect(String(dm.params.text)).toContain(`<@${AGENT}> menyerahkan percakapan dengan *Sari* kepada Anda`);
    expect(String(dm.params.text)).toContain(`https://slack.com/archives/${CHANNEL}/p${(conversation.threadTs ?? '').replace('.', '')}`);
    expect(rootShown()).toContain(`Assigned to <@${ADMIN_ID}>`);

    await click(ADMIN_ID, INBOX_ACTIONS.unassign);
    expect((await stored()).assignee ?? undefined).toBeUndefined();
    await suite.service.outbox.drain();
    expect(rootShown()).toContain('Unassigned');
    expect((await audits()).map((a) => [a.action, a.actorId, a.before, a.after])).toEqual([
      ['conversation.claim', AGENT, { assignee: null }, { assignee: AGENT }],
      ['conversation.assign', AGENT, { assignee: AGENT }, { assignee: ADMIN_ID }],
      ['conversation.unassign', ADMIN_ID, { assignee: ADMIN_ID }, { assignee: null }],
    ]);
  });

  it('refuses someone outside the account’s channel, changing nothing', async () => {
    await click(OUTSIDER, INBOX_ACTIONS.claim);
    await react(OUTSIDER, 'white_check_mark');
    expect((await stored()).assignee ?? undefined).toBeUndefined();
    expect((await stored()).status ?? 'open').toBe('open');
    expect(told()).toEqual([expect.stringContaining('Only members of the account’s channel'), expect.stringContaining('Only members of the account’s channel')]);
    expect(await audits()).toEqual([]);
  });
});

describe('status', () => {
  it('Pending, then a new message reopens it and mentions the assignee in the thread, not the channel', async () => {
    await click(AGENT, INBOX_ACTIONS.claim);
    await click(AGENT, INBOX_ACTIONS.pending);
    expect((await stored()).status).toBe('pending');
    await suite.service.outbox.drain();
    expect(rootShown()).toContain('Pending');
    expect(rootShown()).toContain(INBOX_ACTIONS.reopen);
    suite.slack.clear();

    suite.service.clock.advance(10 * MINUTE);
    await customerWrites('here is my address');
    expect((await stored()).status).toBe('open');
    const mentionPost = suite.slack.posts().find((p) => String(p.params.text).includes(`<@${AGENT}>`));
    expect(mentionPost?.params).toMatchObject({ channel: CHANNEL, thread_ts: conversation.threadTs });
    expect(mentionPost?.params.reply_broadcast === true || mentionPost?.params.reply_broadcast === 'true').toBe(false);
    expect(String(mentionPost?.params.text)).toContain('was Pending and is open again');
    expect(rootShown()).toContain('Open');
    const reopen = (await audits()).find((a) => a.action === 'conversation.reopen');
    expect(reopen).toMatchObject({ actorId: 'customer', accountId: String(account._id), before: { status: 'pending' }, after: { status: 'open' } });
  });

  it('✅ on the root resolves; a resolved conversation gets no window warnings until the customer writes again', async () => {
    await react(AGENT, 'white_check_mark');
    expect((await stored()).status).toBe('resolved');
    expect(await WindowAlertModel.findById(conversation._id)).toBeNull();
    await suite.service.outbox.drain();
    expect(rootShown()).toContain('Resolved');
    suite.slack.clear();

    // The window (opened an hour before START) closes at START + 23 h: 100 minutes before, the 120-minute warning is due.
    suite.service.clock.set(new Date(START.getTime() + 23 * HOUR - 100 * MINUTE));
    await runSweep(suite.service.deps);
    await suite.service.outbox.drain();
    expect(suite.slack.posts()).toEqual([]);

    // Unassigned: nobody to mention, but it is open again and warned about like any other.
    await customerWrites('still there?');
    expect((await stored()).status).toBe('open');
    suite.service.clock.advance(23 * HOUR);
    await runSweep(suite.service.deps);
    await suite.service.outbox.drain();
    const warnings = suite.slack.posts().filter((p) => p.params.thread_ts === conversation.threadTs && /window with this customer closes in/.test(String(p.params.text)));
    expect(warnings).toHaveLength(1);
    expect((await audits()).map((a) => a.action)).toEqual(['conversation.status', 'conversation.reopen']);
  });

  it('the Resolve button resolves, Reopen opens again, and a click that changes nothing says so', async () => {
    await click(AGENT, INBOX_ACTIONS.resolve);
    expect((await stored()).status).toBe('resolved');
    await click(AGENT, INBOX_ACTIONS.resolve);
    expect(told()).toEqual([expect.stringContaining('Nothing changed')]);
    await click(AGENT, INBOX_ACTIONS.reopen);
    expect((await stored()).status).toBe('open');
    expect((await audits()).map((a) => [a.action, a.before, a.after])).toEqual([
      ['conversation.status', { status: 'open' }, { status: 'resolved' }],
      ['conversation.status', { status: 'resolved' }, { status: 'open' }],
    ]);
  });
});
