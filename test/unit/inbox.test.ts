import { assignModal, handedToYouView, inboxHeaderBlocks, INBOX_ACTIONS, reopenedForView } from '../../src/bot/views/inbox';
import { claimOutcome, inboxStatus, INBOX_STATUSES, reopensOnInbound, warnsAboutWindow } from '../../src/domain/inbox';
import { pageCount, pageRuns, queueNamed } from '../../src/domain/queues';
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
    const blocks = inboxHeaderBlocks(t.inbox, { conversationId: '65a000000000000000000001', status, assignee });
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
