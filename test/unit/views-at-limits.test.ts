import fc from 'fast-check';
import type { AccountSummary } from '../../src/accounts/service';
import { accountListMessage, accountListModal, connectModal, connectedModal, settingsModal } from '../../src/bot/views/accounts';
import {
  accountOffEphemeral,
  failureView,
  inboundMessageView,
  mediaUnavailableView,
  reopenedView,
  threadHeader,
  windowClosedEphemeral,
} from '../../src/bot/views/conversations';
import { helpMessage } from '../../src/bot/views/help';
import { buildHomeView, HOME_MAX_BLOCKS, HOME_SECTION_MAX_BLOCKS } from '../../src/bot/views/home';
import { QUEUE_PAGE_SIZE, queuesBlocks, queuesMessage, type QueueList } from '../../src/bot/views/queues';
import { exportModal, METRICS_MAX_AGENTS, metricsBlocks, metricsDigestView, metricsMessage, type MetricsAccount, type MetricsData } from '../../src/bot/views/metrics';
import type { Figures } from '../../src/store/metrics';
import { pageCount, QUEUES } from '../../src/domain/queues';
import { messageParts, SLACK_LIMITS, type SlackMessage } from '../../src/bot/views/limits';
import { setAsideHomeSection } from '../../src/bot/views/set-aside';
import {
  deleteConfirmView,
  sendTemplateView,
  sentTemplateMessage,
  templateFormView,
  templateListView,
  templatePreviewView,
  type SendableTemplate,
  type TemplateRow,
} from '../../src/bot/views/templates';
import { digestView, expiringListView, windowHomeSection, windowSummaryView, windowWarningView, type WindowRow } from '../../src/bot/views/window';
import { strings, type Locale } from '../../src/i18n';
import type { MessageContent } from '../../src/whatsapp/inbound';
import { messageProblems, viewProblems } from '../fakes/block-kit';

/**
 * Every view and message at the largest data users can produce, in both
 * languages, checked against the strict Block Kit check. Sizes are WhatsApp's
 * and our forms' limits: names 80 (account) and 256 (profile), text 4,096,
 * template names 512, bodies 1,024, headers and footers 60.
 */

const RUNS = { numRuns: 25 };
const WORDS = ['terima kasih', 'pesanan', 'Kak', 'ongkir', '🙏', '😀', '&', '<b>', '*tebal*', ' ', '\n', 'é', 'x', '👩‍👩‍👧'];

/** Text of `max` UTF-16 units (a code point less when an emoji would straddle the end) (as zod and JavaScript count), of Indonesian, emoji and mrkdwn control characters. */
const textOf = (max: number) =>
  fc
    .array(fc.constantFrom(...WORDS), { minLength: max, maxLength: max })
    .map((words) => {
      const chars = [...words.join('')];
      while (chars.join('').length > max) chars.pop();
      return chars.join('');
    })
    .filter((s) => s.trim().length > 0);

const locale = fc.constantFrom<Locale>('en', 'id');

/** Figures as large as they come: every count in the millions, every duration days long, every agent with everything. */
const hugeFigures: Figures = {
  opened: 9_999_999,
  resolved: 9_999_999,
  reopened: 9_999_999,
  firstResponse: { count: 9_999_999, medianMs: 99 * 86_400_000, p90Ms: 999 * 86_400_000 },
  resolution: { count: 9_999_999, medianMs: 99 * 86_400_000, p90Ms: 999 * 86_400_000 },
  slaBreaches: 9_999_999,
  windowsUnanswered: 9_999_999,
  messagesIn: 99_999_999,
  messagesOut: 99_999_999,
  csat: { count: 9_999_999, average: 4.99, distribution: [9_999_999, 9_999_999, 9_999_999, 9_999_999, 9_999_999] },
};

/** The metrics of `count` accounts named `name`, each with more agents than are named. */
function metricsOf(name: string, count: number, page: number): MetricsData {
  const accounts: MetricsAccount[] = Array.from({ length: count }, (_, n) => ({
    id: `65a0000000000000000000${String(n).padStart(2, '0')}`,
    name,
    total: hugeFigures,
    agents: Array.from({ length: METRICS_MAX_AGENTS + 5 }, (_, a) => ({ agent: `U0AGENT${a}`, figures: hugeFigures })),
  }));
  return { period: '30d', span: { start: at, end: at }, from: '7 Nov 2026', to: '6 Dec 2026', accounts, page, partial: true, accountId: accounts[0]?.id };
}
const at = new Date('2026-12-06T03:00:00Z');

const accountOf = (name: string, n: number): AccountSummary => ({
  id: `65a0000000000000000000${String(n).padStart(2, '0')}`,
  name,
  kind: n % 3 === 0 ? 'onprem' : n % 2 ? 'cloud' : 'bsp',
  retired: n % 3 === 0,
  templatesManaged: n % 2 === 1,
  apiUrl: 'https://graph.facebook.com/v23.0',
  phoneNumberId: '1234567890',
  displayPhoneNumber: '+62 812 3456 7890',
  verifiedName: name,
  channelId: 'C0SALES',
  locale: 'id',
  enabled: n % 3 !== 0,
  tokenHint: '••••1a2b',
  appSecretHint: '••••9z9z',
  webhookUrl: `https://wadesk.example.com/webhooks/whatsapp/${n}`,
  verifyToken: 'v'.repeat(43),
});

const expectMessage = (message: SlackMessage) => expect(messageProblems({ ...message })).toEqual([]);
/** A thread post goes out as as many messages as it needs (see messageParts). */
function expectThreadPost(message: SlackMessage): void {
  const parts = messageParts(message);
  for (const part of parts) expectMessage(part);
  expect(parts.flatMap((p) => p.blocks)).toEqual(message.blocks);
}
const expectView = (view: unknown) => expect(viewProblems(view)).toEqual([]);

describe('every surface at the largest sizes', () => {
  it('accounts: lists of many accounts with 80-character names, the connect and settings modals', () => {
    fc.assert(
      fc.property(locale, textOf(80), fc.integer({ min: 1, max: 40 }), fc.boolean(), (loc, name, count, isAdmin) => {
        const t = strings(loc);
        const accounts = Array.from({ length: count }, (_, n) => accountOf(name, n));
        const [first] = accounts;
        if (!first) return;
        expectMessage(accountListMessage(t, accounts, { isAdmin, notice: t.common.successfullyUpdated }));
        expectView(accountListModal(t, accounts, { isAdmin, title: name }));
        expectView(connectedModal(t, first, accounts));
        expectView(connectModal(t, { privateMetadata: 'x'.repeat(2000), values: { name, kind: 'bsp', apiKeyHeader: 'D360-API-KEY', apiUrl: `https://${'a'.repeat(400)}.example` } }));
        expectView(settingsModal(t, first, { privateMetadata: '{}', values: { name } }));
      }),
      RUNS,
    );
  });

  it('conversations: 256-character profile names, 4,096-character texts, long locations and many contacts', () => {
    const contents: fc.Arbitrary<MessageContent> = fc.oneof(
      textOf(4096).map((body): MessageContent => ({ type: 'text', body })),
      fc.tuple(textOf(1000), textOf(1000)).map(([name, address]): MessageContent => ({ type: 'location', latitude: -6.2, longitude: 106.8, name, address })),
      fc.tuple(textOf(256), fc.integer({ min: 1, max: 120 })).map(([name, n]): MessageContent => ({
        type: 'contacts',
        contacts: Array.from({ length: n }, () => ({ name, phones: [{ phone: '+62 812 0000 0000', type: 'CELL' }], emails: [{ email: 'a@b.id' }] })),
      })),
      fc.tuple(textOf(1024), fc.integer({ min: 1, max: 100 })).map(([text, n]): MessageContent => ({
        type: 'order',
        catalogId: '1',
        text,
        items: Array.from({ length: n }, (_, i) => ({ productRetailerId: `sku-${i}-${'x'.repeat(40)}`, quantity: 99, itemPrice: 1_500_000, currency: 'IDR' })),
      })),
      textOf(1024).map((caption): MessageContent => ({ type: 'image', mediaId: '1', caption })),
      textOf(20).map((title): MessageContent => ({ type: 'interactive', replyType: 'list_reply', id: '1', title })),
    );
    fc.assert(
      fc.property(locale, textOf(256), textOf(80), contents, textOf(1000), (loc, profileName, accountName, content, headline) => {
        const s = strings(loc).conversations;
        expectMessage(threadHeader(s, { customerName: profileName, customer: { phone: '6281234567890' }, accountName, windowClosesAt: at, now: at, timeZone: 'Asia/Jakarta' }));
        const view = inboundMessageView(s, { content, forwarded: true, contextWamid: 'wamid.X', referral: { headline, sourceUrl: 'https://fb.me/x' } });
        expectThreadPost(view);
        expectThreadPost(reopenedView(s, profileName, view));
        if (content.type === 'image') expectThreadPost(mediaUnavailableView(s, content));
        expectThreadPost(failureView(s, { code: 131047, meaning: 'window_closed', title: headline, conversationId: 'c1' }));
        expectMessage(windowClosedEphemeral(s, { conversationId: 'c1', closesAt: at, timeZone: 'Asia/Jakarta' }));
        expectMessage(accountOffEphemeral(s, accountName));
      }),
      { numRuns: 10 },
    );
  });

  it('templates: 512-character names, 1,024-character bodies, more templates than one select holds', () => {
    fc.assert(
      fc.property(locale, textOf(512), textOf(1024), textOf(60), textOf(80), fc.integer({ min: 0, max: 300 }), (loc, name, body, short, accountName, count) => {
        const t = strings(loc).templates;
        const rows: TemplateRow[] = Array.from({ length: Math.min(count, 10) }, (_, n) => ({
          id: `t${n}`,
          name,
          language: 'id',
          category: 'MARKETING',
          status: 'REJECTED',
          rejectedReason: body,
          enabled: n % 2 === 0,
          header: short,
          body,
        }));
        expectView(templateListView(t, { account: { id: 'a1', name: accountName }, templates: rows, page: 3, total: count + 40, notice: body }));
        const values = { name, language: 'id', category: 'MARKETING', header: short, headerExample: short, body, footer: short, buttons: short, examples: body };
        expectView(templateFormView(t, { accountId: 'a1', values, error: body }));
        const draft = { name, language: 'id', category: 'MARKETING' as const, header: short, body, footer: short, buttons: [{ type: 'QUICK_REPLY' as const, text: short }], bodyExamples: [] };
        expectView(templatePreviewView(t, { accountId: 'a1', draftId: 'd1', draft, rendered: { header: short, body, footer: short } }));
        expectView(deleteConfirmView(t, { template: { id: 't1', name, language: 'id' }, listViewId: 'V1', listPage: 0 }));
        const sendable: SendableTemplate[] = Array.from({ length: count }, (_, n) => ({ id: `t${n}`, name, language: 'pt_BR', header: short, body, footer: short, buttons: [short] }));
        expectView(sendTemplateView(t, { accountId: 'a1', waId: '628123', templates: sendable, selected: sendable[0], error: body }));
        expectThreadPost(sentTemplateMessage(t, { userId: 'U1', name, language: 'id', rendered: { header: short, body, footer: short } }));
      }),
      RUNS,
    );
  });

  it('the window: summaries, the expiring list, the digest and the Home tab of many conversations', () => {
    fc.assert(
      fc.property(locale, textOf(256), textOf(80), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 12 }), (loc, customerName, accountName, count, accountCount) => {
        const t = strings(loc);
        const rows: WindowRow[] = Array.from({ length: count }, (_, n) => ({
          conversationId: `c${n}`,
          customerName,
          waId: '6281234567890',
          closesAt: new Date(at.getTime() + n * 60_000),
          lastMessage: customerName,
          lastReplyBy: `U${n % 30}`,
          link: 'https://slack.com/archives/C1/p1',
        }));
        const accounts = Array.from({ length: accountCount }, () => ({ accountName, rows }));
        expectThreadPost(windowWarningView(t.window, { closesAt: at, now: at, timeZone: 'Asia/Jakarta', lastReplyBy: 'U1' }));
        expectThreadPost(windowSummaryView(t.window, { rows, now: at, timeZone: 'Asia/Jakarta' }));
        expectMessage(expiringListView(t.window, { accounts, now: at, timeZone: 'Asia/Jakarta' }));
        const digest = digestView(t.window, { accountName, rows, now: at, timeZone: 'Asia/Jakarta' });
        if (digest) expectThreadPost(digest);
        const accountsSection = accountListMessage(t, Array.from({ length: 30 }, (_, n) => accountOf(accountName, n)), { isAdmin: true }).blocks;
        const refused = Array.from({ length: accountCount + 5 }, (_, n) => ({ accountId: `a${n}`, accountName, count: 10_000, reason: t.setAside.reasons.channel_not_found('<#C0SALES>') }));
        expectView(buildHomeView(t, [accountsSection, setAsideHomeSection(t.setAside, refused), windowHomeSection(t.window, { accounts, now: at, timeZone: 'Asia/Jakarta' })]));
        expectMessage(helpMessage(t, { unknownWord: customerName }));
      }),
      RUNS,
    );
  });
});

describe('the Home tab', () => {
  it('adds up to at most Slack’s 100 blocks: the frame, a divider and the most of each section', () => {
    expect(HOME_MAX_BLOCKS).toBeLessThanOrEqual(SLACK_LIMITS.viewBlocks);
  });

  it('with 1,000 open conversations in the queues, and every other section at its largest, stays within each section’s budget and Slack’s limits', () => {
    fc.assert(
      fc.property(
        locale,
        textOf(256),
        textOf(80),
        fc.integer({ min: 0, max: 250 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        (loc, customerName, accountName, page, accountCount, isAdmin) => {
          const t = strings(loc);
          const open = 1_000;
          // A page of each queue as the store returns it: at most QUEUE_PAGE_SIZE of the 1,000, with long names and handles.
          const lists: QueueList[] = QUEUES.map((queue, q) => {
            const total = q === 0 ? open / 4 : q === 1 ? open / 2 : open;
            const pages = pageCount(total, QUEUE_PAGE_SIZE);
            return {
              queue,
              total,
              page: Math.min(page, pages - 1),
              pages,
              rows: Array.from({ length: QUEUE_PAGE_SIZE }, (_, n) => ({
                customerName,
                handle: `@${customerName}`,
                closesAt: new Date(at.getTime() + (n - 2) * 3_600_000),
                ...(n % 2 ? { assignee: `U${n}` } : {}),
                ...(n % 3 ? { link: 'https://slack.com/archives/C1/p1' } : {}),
              })),
            };
          });
          const queues = queuesBlocks(t, { lists, now: at, timeZone: 'Asia/Jakarta', account: { id: 'a1', name: accountName } });
          const rows: WindowRow[] = Array.from({ length: 200 }, (_, n) => ({
            conversationId: `c${n}`,
            customerName,
            waId: '6281234567890',
            closesAt: new Date(at.getTime() + n * 60_000),
            lastMessage: customerName,
            link: 'https://slack.com/archives/C1/p1',
          }));
          const windows = windowHomeSection(t.window, { accounts: Array.from({ length: accountCount }, () => ({ accountName, rows })), now: at, timeZone: 'Asia/Jakarta', page });
          const accountsSection = accountListMessage(t, Array.from({ length: 40 }, (_, n) => accountOf(accountName, n)), { isAdmin, notice: t.common.successfullyUpdated, page }).blocks;
          const refused = Array.from({ length: 20 }, (_, n) => ({ accountId: `a${n}`, accountName, count: 10_000, reason: t.setAside.reasons.channel_not_found('<#C0SALES>') }));
          const setAside = setAsideHomeSection(t.setAside, refused);

          expect(queues.length).toBeLessThanOrEqual(HOME_SECTION_MAX_BLOCKS.queues);
          expect(accountsSection.length).toBeLessThanOrEqual(HOME_SECTION_MAX_BLOCKS.accounts);
          expect(setAside.length).toBeLessThanOrEqual(HOME_SECTION_MAX_BLOCKS.setAside);
          expect(windows.length).toBeLessThanOrEqual(HOME_SECTION_MAX_BLOCKS.windows);
          const metrics = metricsBlocks(t, metricsOf(accountName, accountCount * 3, page), { exportButton: true });
          expect(metrics.length).toBeLessThanOrEqual(HOME_SECTION_MAX_BLOCKS.metrics);
          expectView(buildHomeView(t, [queues, accountsSection, setAside, windows, metrics]));
          expectMessage(metricsMessage(t, metricsOf(accountName, accountCount * 3, page)));
          const digest = metricsDigestView(t, { account: metricsOf(accountName, 1, 0).accounts[0]!, day: '6 Dec 2026' });
          if (digest) expectThreadPost(digest);
          expectView(exportModal(t, { from: '2026-11-30', to: '2026-12-06' }));
          expectMessage(queuesMessage(t, { lists, now: at, timeZone: 'Asia/Jakarta' }));
        },
      ),
      RUNS,
    );
  });
});

describe('long lists page', () => {
  it('the expiring list shows every account once across its pages, each page within a message', () => {
    const s = strings('id').window;
    const rows: WindowRow[] = Array.from({ length: 25 }, (_, n) => ({ conversationId: `c${n}`, customerName: 'Budi '.repeat(50), waId: '6281234567890', closesAt: at, lastMessage: 'x'.repeat(500) }));
    const accounts = Array.from({ length: 30 }, (_, n) => ({ accountName: `Toko ${n}`, rows }));
    const seen: string[] = [];
    let pages = 0;
    for (let page = 0; ; page++) {
      const view = expiringListView(s, { accounts, now: at, timeZone: 'Asia/Jakarta', page });
      expectMessage(view);
      const text = JSON.stringify(view.blocks);
      seen.push(...accounts.map((a) => a.accountName).filter((name) => text.includes(`${name}*`)));
      pages++;
      if (!text.includes('"text":"Berikutnya →"')) break;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(accounts.map((a) => a.accountName));
  });
});
