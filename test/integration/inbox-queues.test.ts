import type { Types } from 'mongoose';
import { queuePageAction, queuePagerValue } from '../../src/bot/views/queues';
import { ConversationModel, type AccountDocument } from '../../src/store/models';
import { blockActionsBody, eventCallbackBody, postToSlackEvents, viewContainer } from '../helpers/slack';
import { AGENT, ADMIN, CHANNEL, createAccount, slackSuite, type View } from './templates-harness';

/**
 * The inbox queues through signed Slack requests against the real service and database:
 * `/whatsapp queue` privately, its pager, and the App Home with 1,000 open conversations.
 */

const HOUR = 60 * 60 * 1000;
const NOW = new Date('2026-01-05T03:00:00Z');

const suite = slackSuite(NOW);
let sales: AccountDocument;
let support: AccountDocument;
let seq = 0;

beforeAll(async () => {
  sales = await createAccount(suite.service, { name: 'Sales', nameKey: 'sales' });
  support = await createAccount(suite.service, { name: 'Support', nameKey: 'support', channelId: 'C0SUPPORT' });
});
beforeEach(() => ConversationModel.deleteMany({}));

interface Seed {
  name: string;
  /** Hours until the window closes; negative: closed that long ago. */
  closesIn: number;
  assignee?: string;
  status?: 'open' | 'pending' | 'resolved';
  account?: Types.ObjectId;
}

async function seed(rows: readonly Seed[]): Promise<void> {
  await ConversationModel.insertMany(
    rows.map((r) => {
      seq++;
      const closes = new Date(NOW.getTime() + r.closesIn * HOUR);
      return {
        accountId: r.account ?? sales._id,
        waId: `62812${String(seq).padStart(8, '0')}`,
        phone: `62812${String(seq).padStart(8, '0')}`,
        profileName: r.name,
        channelId: CHANNEL,
        threadTs: `1767500000.${String(seq).padStart(6, '0')}`,
        windowClosesAt: closes,
        lastInboundAt: new Date(closes.getTime() - 24 * HOUR),
        ...(r.assignee ? { assignee: r.assignee } : {}),
        ...(r.status ? { status: r.status } : {}),
      };
    }),
  );
}

async function command(user: string, text: string): Promise<string> {
  const res = await suite.slack.command(user, text);
  expect(res.status).toBe(200);
  await suite.service.slackSettled();
  const last = suite.slack.responses.at(-1);
  expect(last).toMatchObject({ response_type: 'ephemeral' });
  return JSON.stringify(last);
}

/** The customers named in `shown`, in the order shown. */
function order(shown: string, names: readonly string[]): string[] {
  return names.filter((n) => shown.includes(`*${n}*`)).sort((a, b) => shown.indexOf(`*${a}*`) - shown.indexOf(`*${b}*`));
}

const SEEDS: Seed[] = [
  { name: 'Mine later', closesIn: 20, assignee: AGENT },
  { name: 'Mine soon', closesIn: 1, assignee: AGENT },
  { name: 'Mine closed', closesIn: -5, assignee: AGENT },
  { name: 'Mine pending', closesIn: 2, assignee: AGENT, status: 'pending' },
  { name: 'Mine resolved', closesIn: 3, assignee: AGENT, status: 'resolved' },
  { name: 'Nobody soon', closesIn: 0.5 },
  { name: 'Nobody later', closesIn: 10, status: 'open' },
  { name: 'Theirs', closesIn: 4, assignee: ADMIN },
  { name: 'Support customer', closesIn: 6 },
];
const NAMES = SEEDS.map((s) => s.name);

describe('/whatsapp queue', () => {
  beforeEach(() => seed(SEEDS.map((s) => (s.name === 'Support customer' ? { ...s, account: support._id } : s))));

  it('shows Mine, Unassigned and All open privately: window closing soonest first, closed windows last, no pending or resolved', async () => {
    const shown = await command(AGENT, 'queue');
    const mine = shown.indexOf('*Mine*');
    const unassigned = shown.indexOf('*Unassigned*');
    const all = shown.indexOf('*All open*');
    expect(mine).toBeGreaterThan(-1);
    expect(unassigned).toBeGreaterThan(mine);
    expect(all).toBeGreaterThan(unassigned);
    expect(order(shown.slice(mine, unassigned), NAMES)).toEqual(['Mine soon', 'Mine later', 'Mine closed']);
    expect(order(shown.slice(unassigned, all), NAMES)).toEqual(['Nobody soon', 'Support customer', 'Nobody later']);
    expect(shown).toContain('*All open* (7)');
    expect(shown).not.toContain('Mine pending');
    expect(shown).not.toContain('Mine resolved');
    // Each row links to its thread and says the time left.
    expect(shown).toContain(`https://slack.com/archives/${CHANNEL}/p1767500000`);
    expect(shown).toContain('1 h left');
  });

  it('shows one queue when named, of one account when named, and says so when no account has that name', async () => {
    const unassigned = await command(AGENT, 'queue unassigned');
    expect(unassigned).toContain('*Unassigned* (3)');
    expect(unassigned).not.toContain('*Mine*');
    const all = await command(AGENT, 'queue all Support');
    expect(order(all, NAMES)).toEqual(['Support customer']);
    expect(all).toContain('Account: Support');
    expect(await command(AGENT, 'queue all Nowhere')).toContain('No connected account is called “Nowhere”');
  });

  it('pages: Next shows the following rows of the same queue, and of the same account', async () => {
    await seed(Array.from({ length: 12 }, (_, n) => ({ name: `Paged ${String(n).padStart(2, '0')}`, closesIn: 1.5 + n, account: support._id })));
    const first = await command(AGENT, 'queue all support');
    expect(first).toContain(`${queuePageAction('all')}.1`);
    const res = await suite.slack.click(AGENT, `${queuePageAction('all')}.1`, queuePagerValue(1, String(support._id)));
    expect(res.status).toBe(200);
    await suite.service.slackSettled();
    const second = JSON.stringify(suite.slack.responses.at(-1));
    expect(suite.slack.responses.at(-1)).toMatchObject({ replace_original: true });
    const paged = Array.from({ length: 12 }, (_, n) => `Paged ${String(n).padStart(2, '0')}`);
    // Support's 13 by window close: Paged 00 (1.5 h) … Paged 04 (5.5 h) on the first page, then Support customer (6 h), Paged 05 …
    expect(order(second, [...paged, 'Support customer'])).toEqual(['Support customer', 'Paged 05', 'Paged 06', 'Paged 07', 'Paged 08']);
    expect(second).not.toContain('Nobody');
  });
});

const homeEvent = (user: string) => eventCallbackBody({ type: 'app_home_opened', user, channel: 'D0001', tab: 'home' });

function published(): View {
  const call = suite.slack.calls.filter((c) => c.method === 'views.publish').at(-1);
  const view = call?.params.view;
  return typeof view === 'string' ? (JSON.parse(view) as View) : {};
}

describe('the App Home', () => {
  it('shows the three queues of 1,000 open conversations within Block Kit’s limits, and pages each', async () => {
    await seed(Array.from({ length: 1_000 }, (_, n) => ({ name: `Customer ${n}`, closesIn: -30 + n * 0.1, ...(n % 3 === 0 ? { assignee: AGENT } : {}) })));
    const res = await postToSlackEvents(suite.service.url, homeEvent(AGENT), { now: suite.service.clock.now(), contentType: 'application/json' });
    expect(res.status).toBe(200);
    await suite.service.slackSettled();
    const view = published();
    expect(view.blocks?.length).toBeLessThanOrEqual(100);
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain('*Mine* (334)');
    expect(shown).toContain('*Unassigned* (666)');
    expect(shown).toContain('*All open* (1000)');
    // Windows closed for the first 300 (n·0.1 h < 30 h): the first still open is Customer 301 (closes in 0.1 h).
    expect(shown.indexOf('*Customer 301*')).toBeGreaterThan(-1);
    expect(shown).toContain(`${queuePageAction('all')}.1`);

    suite.slack.clear();
    const inHome = { id: 'V0HOME', type: 'home' as const };
    await postToSlackEvents(
      suite.service.url,
      blockActionsBody(AGENT, viewContainer(inHome), { type: 'button', action_id: `${queuePageAction('all')}.199`, value: queuePagerValue(199) }),
      { now: suite.service.clock.now() },
    );
    await suite.service.slackSettled();
    const last = JSON.stringify(published().blocks);
    // The last page: closed windows come after every open one, waiting longest first, so it ends with the latest to close.
    expect(last).toContain('Page 200 of 200');
    expect(order(last, Array.from({ length: 1_000 }, (_, n) => `Customer ${n}`)).slice(-5)).toEqual(['Customer 296', 'Customer 297', 'Customer 298', 'Customer 299', 'Customer 300']);
  });
});
