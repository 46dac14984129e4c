import { assignModal, handedToYouView, inboxHeaderBlocks, INBOX_ACTIONS, reopenedForView } from '../../src/bot/views/inbox';
import { claimOutcome, inboxStatus, INBOX_STATUSES, reopensOnInbound, warnsAboutWindow } from '../../src/domain/inbox';
import { pageCount, pageRuns, queueNamed } from '../../src/domain/queues';
import { contactIssues, parseTags } from '../../src/domain/contact';
import { contactModal } from '../../src/bot/views/contact';
import { fillSavedReply, savedReplyIssues } from '../../src/domain/saved-replies';
import { savedReplyFormModal, savedReplyListModal, savedReplySentView, useSavedReplyModal } from '../../src/bot/views/saved-replies';
import { strings, type Locale } from '../../src/i18n';
import { messageProblems, viewProblems } from '../fakes/block-kit';

describe('inbox rules', () => {
  it('reads a missing or unknown stored status as open', () => {
    expect(inboxStatus(undefined)).toBe('open');
    expect(inboxStatus(null)).toBe('open');
    expect(inboxStatus('bogus')).toBe('open');
    expect(inboxStatus('pending')).toBe('pending');
  });

  it('lets a claim win only an unassigned conversation', () => {
    expect(claimOutcome(undefined, 'U1')).toEqual({ kind: 'won' });
    expect(claimOutcome(null, 'U1')).toEqual({ kind: 'won' });
    expect(claimOutcome('U1', 'U1')).toEqual({ kind: 'already_yours' });
    expect(claimOutcome('U2', 'U1')).toEqual({ kind: 'taken', holder: 'U2' });
  });

  it('reopens pending and resolved conversations on a new message, and warns about windows unless resolved', () => {
    expect(INBOX_STATUSES.filter(reopensOnInbound)).toEqual(['pending', 'resolved']);
    expect(INBOX_STATUSES.filter(warnsAboutWindow)).toEqual(['open', 'pending']);
  });
});

const buttonsOf = (blocks: ReturnType<typeof inboxHeaderBlocks>) =>
  blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => ('action_id' in e ? e.action_id : undefined)) : []));

describe.each<Locale>(['en', 'id'])('inbox views in %s', (locale) => {
  const t = strings(locale);
  const cases = INBOX_STATUSES.flatMap((status) => [undefined, 'U0AGENT'].map((assignee) => ({ status, assignee })));

  it.each(cases)('the root for a $status conversation, assignee $assignee, is valid Block Kit with the buttons that apply', ({ status, assignee }) => {
    const blocks = inboxHeaderBlocks(t, { conversationId: '65a000000000000000000001', status, assignee });
    expect(messageProblems({ text: 'x', blocks })).toEqual([]);
    const buttons = buttonsOf(blocks);
    expect(buttons.includes(INBOX_ACTIONS.claim)).toBe(assignee === undefined);
    expect(buttons.includes(INBOX_ACTIONS.unassign)).toBe(assignee !== undefined);
    expect(buttons.includes(INBOX_ACTIONS.resolve)).toBe(status !== 'resolved');
    expect(buttons.includes(INBOX_ACTIONS.pending)).toBe(status === 'open');
    expect(buttons.includes(INBOX_ACTIONS.reopen)).toBe(status !== 'open');
    expect(JSON.stringify(blocks)).toContain(t.inbox.status[status]);
    if (assignee) expect(JSON.stringify(blocks)).toContain(`<@${assignee}>`);
  });

  it('the Assign to… modal is a valid view with a users_select', () => {
    const view = assignModal(t, { conversationId: '65a000000000000000000001', assignee: 'U0AGENT' });
    expect(viewProblems(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('"initial_user":"U0AGENT"');
  });

  it('the DM and the reopened mention are valid messages', () => {
    expect(messageProblems({ ...handedToYouView(t.inbox, { by: 'U1', customer: '*Sari*', channelId: 'C1', threadTs: '1.2' }) })).toEqual([]);
    expect(messageProblems({ ...reopenedForView(t.inbox, { assignee: 'U1', customer: '*Sari*', before: 'resolved' }) })).toEqual([]);
  });
});

describe('queue pages', () => {
  it('cut the open windows first, then the closed ones, without gaps or repeats', () => {
    const size = 5;
    const openCount = 7;
    const seen: string[] = [];
    for (let page = 0; page < pageCount(12, size); page++) {
      const { open, closed } = pageRuns(page, size, openCount);
      for (let i = 0; i < open.limit; i++) seen.push(`open${open.skip + i}`);
      for (let i = 0; i < closed.limit && seen.length < 12; i++) seen.push(`closed${closed.skip + i}`);
    }
    expect(seen).toEqual([...Array.from({ length: 7 }, (_, i) => `open${i}`), ...Array.from({ length: 5 }, (_, i) => `closed${i}`)]);
  });

  it('have one page even when empty, and read queue names in any case', () => {
    expect(pageCount(0, 5)).toBe(1);
    expect(pageCount(1_000, 5)).toBe(200);
    expect(queueNamed('MINE')).toBe('mine');
    expect(queueNamed('nope')).toBeUndefined();
  });
});

describe('saved replies', () => {
  it('fill in {{name}} and {{agent}}, leaving out what is unknown with the space before it', () => {
    expect(fillSavedReply('Hi {{name}}, this is {{ agent }}.', { name: 'Sari', agent: 'Rina' })).toBe('Hi Sari, this is Rina.');
    expect(fillSavedReply('Hi {{name}}, this is {{AGENT}}.', {})).toBe('Hi, this is.');
    expect(fillSavedReply('{{name}}!', { name: '  ' })).toBe('!');
  });

  it('refuse empty or long fields and unknown placeholders', () => {
    expect(savedReplyIssues({ name: ' ', text: '' })).toEqual([{ field: 'name', problem: 'empty' }, { field: 'text', problem: 'empty' }]);
    expect(savedReplyIssues({ name: 'x'.repeat(51), text: 'x'.repeat(3_001) })).toEqual([{ field: 'name', problem: 'too_long' }, { field: 'text', problem: 'too_long' }]);
    expect(savedReplyIssues({ name: 'ok', text: 'Your {{order}} for {{name}}' })).toEqual([{ field: 'text', problem: 'unknown_placeholder', placeholder: 'order' }]);
    expect(savedReplyIssues({ name: 'ok', text: 'Hi {{Name}} from {{agent}}' })).toEqual([]);
  });

  it.each<Locale>(['en', 'id'])('views are valid Block Kit at their largest (%s)', (locale) => {
    const t = strings(locale);
    const replies = Array.from({ length: 120 }, (_, n) => ({ id: `r${n}`, name: `${'Nama panjang '.repeat(4)}${n}`.slice(0, 50), text: '<&>*'.repeat(750) }));
    expect(viewProblems(savedReplyListModal(t, { accountId: 'a1', accountName: '<Toko> & '.repeat(9), replies, notice: t.savedReplies.saved('x') }))).toEqual([]);
    expect(viewProblems(savedReplyFormModal(t, { accountId: 'a1', replyId: 'r1', listViewId: 'V1' }, { name: 'x'.repeat(50), text: 'y'.repeat(3_000) }))).toEqual([]);
    expect(viewProblems(useSavedReplyModal(t, { conversationId: 'c1', accountName: 'Toko', replies, picked: { id: 'r1', filled: 'z'.repeat(3_500) } }))).toEqual([]);
    expect(viewProblems(useSavedReplyModal(t, { conversationId: 'c1', accountName: 'Toko', replies: [] }))).toEqual([]);
    expect(messageProblems({ ...savedReplySentView(t.savedReplies, 'U1', 'x'.repeat(3_000)) })).toEqual([]);
  });
});

describe('the contact card', () => {
  it('reads tags separated by commas or spaces, without #, lower case, each once', () => {
    expect(parseTags(' VIP, reseller #Jakarta vip,,')).toEqual(['vip', 'reseller', 'jakarta']);
    expect(parseTags('')).toEqual([]);
  });

  it('refuses too many, odd or long tags and long notes', () => {
    expect(contactIssues(Array.from({ length: 11 }, (_, n) => `t${n}`), '')).toEqual([{ field: 'tags', problem: 'too_many' }]);
    expect(contactIssues(['ok', 'no<tag>'], '')).toEqual([{ field: 'tags', problem: 'bad_tag', tag: 'no<tag>' }]);
    expect(contactIssues(['x'.repeat(31)], 'y'.repeat(3_001))).toEqual([{ field: 'tags', problem: 'too_long', tag: 'x'.repeat(31) }, { field: 'notes', problem: 'too_long' }]);
    expect(contactIssues(['pelanggan-setia', 'vip_2'], 'note')).toEqual([]);
  });

  it.each<Locale>(['en', 'id'])('is a valid modal at its largest, and the root shows the tags (%s)', (locale) => {
    const t = strings(locale);
    const view = contactModal(t, {
      conversationId: 'c1',
      name: '<&>'.repeat(85),
      handle: '@user +6281234567890',
      firstSeen: new Date('2026-01-01T00:00:00Z'),
      conversations: 3,
      inbound: 1_000,
      outbound: 900,
      optedOutAt: new Date('2026-01-02T00:00:00Z'),
      tags: Array.from({ length: 10 }, () => 'x'.repeat(30)),
      notes: 'n'.repeat(3_000),
      timeZone: 'Asia/Jakarta',
    });
    expect(viewProblems(view)).toEqual([]);
    const root = inboxHeaderBlocks(t, { conversationId: 'c1', status: 'open', tags: ['vip', 'reseller'] });
    expect(messageProblems({ text: 'x', blocks: root })).toEqual([]);
    expect(JSON.stringify(root)).toContain('`vip` `reseller`');
  });
});
