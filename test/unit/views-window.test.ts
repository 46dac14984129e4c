import { strings } from '../../src/i18n';
import {
  MAX_ROWS_PER_ACCOUNT,
  digestView,
  expiringListView,
  mentionFor,
  threadLink,
  timeLeft,
  windowClosedView,
  windowHomeSection,
  windowSummaryView,
  windowWarningView,
  type WindowRow,
} from '../../src/bot/views/window';

const en = strings('en').window;
const id = strings('id').window;
const now = new Date('2026-01-05T10:00:00Z');
const MINUTE = 60_000;
const at = (minutesFromNow: number) => new Date(now.getTime() + minutesFromNow * MINUTE);
const row = (name: string, minutesLeft: number, extra: Partial<WindowRow> = {}): WindowRow => ({
  conversationId: `c-${name}`,
  customerName: name,
  waId: '6281200000001',
  closesAt: at(minutesLeft),
  ...extra,
});
const json = (v: unknown) => JSON.stringify(v);

describe('window views', () => {
  it('says how long is left in whole hours and minutes, in both languages', () => {
    expect(timeLeft(en, 120 * MINUTE)).toBe('2 h');
    expect(timeLeft(en, 90 * MINUTE)).toBe('1 h 30 min');
    expect(timeLeft(en, 29 * MINUTE + 40_000)).toBe('30 min');
    expect(timeLeft(en, 20_000)).toBe('less than a minute');
    expect(timeLeft(en, -5)).toBe('less than a minute');
    expect(timeLeft(id, 90 * MINUTE)).toBe('1 jam 30 menit');
  });

  it('names the last replier, or the channel when nobody (or no Slack user) replied', () => {
    expect(mentionFor('U0AGENT')).toBe('<@U0AGENT>');
    expect(mentionFor('W0ENTERPRISE')).toBe('<@W0ENTERPRISE>');
    expect(mentionFor(undefined)).toBe('<!channel>');
    expect(mentionFor('<!everyone>')).toBe('<!channel>');
  });

  it('builds a warning with the time left and the close time as a Slack date token', () => {
    const closesAt = at(30);
    const m = windowWarningView(en, { closesAt, now, lastReplyBy: 'U0AGENT', timeZone: 'Asia/Jakarta' });
    expect(m.text).toBe(
      `<@U0AGENT> The 24-hour window with this customer closes in *30 min* (<!date^${closesAt.getTime() / 1000}^{time}|17:30 GMT+7>). Reply before then, or only a template can reach them.`,
    );
    expect(json(m.blocks)).toContain(m.text);
    expect(windowWarningView(id, { closesAt, now, timeZone: 'UTC' }).text).toMatch(/^<!channel> Jendela 24 jam .*\*30 menit\*/);
  });

  it.each([
    ['Asia/Jakarta', '17.30 WIB'],
    ['Asia/Makassar', '18.30 WITA'],
    ['Asia/Jayapura', '19.30 WIT'],
  ])('writes the Indonesian warning’s fallback time as Indonesians do, in %s', (timeZone, time) => {
    const closesAt = at(30);
    expect(windowWarningView(id, { closesAt, now, timeZone }).text).toBe(
      `<!channel> Jendela 24 jam dengan pelanggan ini berakhir dalam *30 menit* (<!date^${closesAt.getTime() / 1000}^{time}|${time}>). Balas sebelum itu; setelahnya hanya template yang bisa menjangkau pelanggan.`,
    );
  });

  it('offers the Send template button on the closed notice', () => {
    const m = windowClosedView(en, { conversationId: 'abc123', closesAt: now, timeZone: 'UTC' });
    expect(m.text).toContain('Only a template can reach the customer now');
    expect(m.blocks[1]).toMatchObject({ type: 'actions', elements: [{ action_id: 'templates.send', value: 'abc123', text: { text: 'Send template' } }] });
    expect(json(windowClosedView(id, { conversationId: 'abc123', closesAt: now, timeZone: 'UTC' }).blocks)).toContain('Kirim template');
  });

  it('links threads without an API call', () => {
    expect(threadLink('C0SHOP', '1767500000.000100')).toBe('https://slack.com/archives/C0SHOP/p1767500000000100');
  });

  it('lists the summary closing first and escapes customer names', () => {
    const m = windowSummaryView(en, { rows: [row('Later', 100), row('<!channel> Soon & co', 20)], now, timeZone: 'UTC' });
    expect(m.text).toBe('2 conversations in this channel have a 24-hour window closing soon:');
    const body = json(m.blocks);
    expect(body).toContain('&lt;!channel&gt; Soon &amp; co');
    expect(body).not.toContain('<!channel> Soon');
    expect(body.indexOf('Soon')).toBeLessThan(body.indexOf('Later'));
    expect(body).toContain('no thread yet');
  });

  it('lists each account’s open windows by time left, with the last message, answered mark and thread link', () => {
    const m = expiringListView(en, {
      accounts: [
        { accountName: 'Shop', rows: [row('B', 300, { answered: true }), row('A', 15, { lastMessage: 'Where is\nmy   order?', link: 'https://slack.com/archives/C/p1' })] },
        { accountName: 'Empty', rows: [] },
      ],
      now,
      timeZone: 'UTC',
    });
    const body = json(m.blocks);
    expect(body).toContain('*Shop*');
    expect(body).not.toContain('*Empty*');
    expect(body.indexOf('A (+')).toBeLessThan(body.indexOf('B (+'));
    expect(body).toContain('A (+6281200000001): 15 min left');
    expect(body).toContain('Last message: Where is my order?');
    expect(body).toContain('<https://slack.com/archives/C/p1|Open thread>');
    expect(body).toContain(':white_check_mark: answered');
  });

  it('says so when there is nothing to list, or no account at all', () => {
    expect(expiringListView(en, { accounts: [{ accountName: 'Shop', rows: [] }], now, timeZone: 'UTC' }).text).toBe(en.expiring.empty);
    expect(expiringListView(en, { accounts: [], now, timeZone: 'UTC' }).text).toBe(en.expiring.noAccounts);
    expect(windowHomeSection(en, { accounts: [], now, timeZone: 'UTC' })).toEqual([]);
    expect(json(windowHomeSection(en, { accounts: [{ accountName: 'Shop', rows: [] }], now, timeZone: 'UTC' }))).toContain(en.home.empty);
  });

  it('caps long lists and keeps every section within Slack’s text limit', () => {
    const rows = Array.from({ length: MAX_ROWS_PER_ACCOUNT + 7 }, (_, i) => row(`Customer ${i} ${'x'.repeat(150)}`, i + 1, { lastMessage: 'y'.repeat(500) }));
    const blocks = windowHomeSection(en, { accounts: [{ accountName: 'Shop', rows }], now, timeZone: 'UTC' });
    expect(json(blocks)).toContain('…and 7 more');
    for (const b of blocks) if (b.type === 'section') expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    expect(blocks.length).toBeGreaterThan(2);
  });

  it('groups the digest by last replier, nobody-yet first, each group by time left', () => {
    const m = digestView(en, {
      accountName: 'Shop',
      rows: [row('Late', 600, { lastReplyBy: 'U0B' }), row('Early', 30, { lastReplyBy: 'U0A' }), row('Fresh', 900), row('Soon', 60, { lastReplyBy: 'U0B' })],
      now,
      timeZone: 'UTC',
    });
    expect(m?.text).toBe('Daily digest for Shop: 4 conversations are still waiting for a reply');
    const body = json(m?.blocks);
    const order = ['Nobody has replied yet', 'Fresh', 'Last replied by <@U0A>', 'Early', 'Last replied by <@U0B>', 'Soon', 'Late'].map((t) => body.indexOf(t));
    expect(order.every((p) => p >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(digestView(en, { accountName: 'Shop', rows: [], now, timeZone: 'UTC' })).toBeUndefined();
  });
});
