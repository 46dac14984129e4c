import type { types } from '@slack/bolt';
import { addressLabel } from '../../domain/customer';
import { formatTime } from '../../domain/format';
import { splitDuration } from '../../domain/window';
import type { Strings } from '../../i18n';
import { SEND_TEMPLATE_ACTION, escapeMrkdwn, slackDate, type SlackMessage } from './conversations';
import { clamp, pageOf, pagerBlocks, SLACK_LIMITS } from './limits';

type KnownBlock = types.KnownBlock;
type S = Strings['window'];

/**
 * Pure Block Kit builders for the 24-hour window: warnings and closed notices in
 * threads, the per-channel summary, the expiring list, the App Home section and the digest.
 */

/** Rows beyond a list's cap become "and N more". */
export const MAX_ROWS_PER_ACCOUNT = 20;
/**
 * Blocks a page of accounts' windows may take: with its title and pager within a message's 50, and beside the
 * other sections within the Home tab's 100 (see home.ts). An account takes at most MAX_ROWS_PER_ACCOUNT + 2 blocks
 * (its name, its rows, "and N more": a line each at most), so a page, never splitting one, stays within it.
 */
export const WINDOW_LIST_BUDGET = MAX_ROWS_PER_ACCOUNT + 4;
/** The pager of the expiring list, in a message or on the Home tab; the action_id ends in the page to show. */
export const WINDOW_PAGE_ACTION = 'window.page';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });

/** A time of day Slack renders in each reader's zone; the fallback, like `slackDate`'s, is in `intl` and `timeZone`. */
export function slackTime(at: Date, intl: string, timeZone: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{time}|${formatTime(at, intl, timeZone)}>`;
}

export function timeLeft(s: S, ms: number): string {
  const { hours, minutes } = splitDuration(ms);
  return s.duration(hours, minutes);
}

/** The agent who last replied, or the whole channel when nobody has (or the replier is not a Slack user). */
export function mentionFor(lastReplyBy: string | undefined): string {
  return lastReplyBy && /^[UW][A-Z0-9]+$/.test(lastReplyBy) ? `<@${lastReplyBy}>` : '<!channel>';
}

/** A link to a thread without an API call; Slack redirects it into the workspace. */
export function threadLink(channelId: string, threadTs: string): string {
  return `https://slack.com/archives/${channelId}/p${threadTs.replace('.', '')}`;
}

export interface WarningData {
  closesAt: Date;
  now: Date;
  lastReplyBy?: string;
  timeZone: string;
}

/** Posted in the thread when a threshold is crossed. */
export function windowWarningView(s: S, d: WarningData): SlackMessage {
  const text = s.warning(mentionFor(d.lastReplyBy), timeLeft(s, d.closesAt.getTime() - d.now.getTime()), slackTime(d.closesAt, s.intl, d.timeZone));
  return { text, blocks: [section(`:hourglass_flowing_sand: ${text}`)] };
}

/** Posted once in the thread when the window closed unanswered; offers the only way left. */
export function windowClosedView(s: S, d: { conversationId: string; closesAt: Date; timeZone: string }): SlackMessage {
  const text = s.closed(slackDate(d.closesAt, s.intl, d.timeZone));
  return {
    text,
    blocks: [
      section(`:no_entry: ${text}`),
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: SEND_TEMPLATE_ACTION, value: d.conversationId, style: 'primary', text: { type: 'plain_text', text: s.sendTemplate } },
        ],
      },
    ],
  };
}

export interface WindowRow {
  conversationId: string;
  customerName?: string;
  waId: string;
  closesAt: Date;
  lastMessage?: string;
  /** Someone replied after the customer's last message. */
  answered?: boolean;
  /** The agent who last replied (for the digest's groups). */
  lastReplyBy?: string;
  link?: string;
}

function customer(s: S, row: Pick<WindowRow, 'customerName' | 'waId'>): string {
  return `${escapeMrkdwn(row.customerName?.trim() || s.unknownCustomer)} (${escapeMrkdwn(addressLabel(row.waId))})`;
}

/** One line per conversation: customer, time left, close time, thread link; optionally the last message. */
export function windowRowText(s: S, row: WindowRow, now: Date, timeZone: string, opts: { lastMessage?: boolean } = {}): string {
  const head = s.row(customer(s, row), timeLeft(s, row.closesAt.getTime() - now.getTime()), slackDate(row.closesAt, s.intl, timeZone));
  const link = row.link ? `<${row.link}|${s.openThread}>` : `_${s.noThread}_`;
  const answered = row.answered ? ` :white_check_mark: ${s.answered}` : '';
  const lines = [`• ${head}${answered}  ${link}`];
  if (opts.lastMessage && row.lastMessage) lines.push(`   _${escapeMrkdwn(s.lastMessage(clamp(row.lastMessage.replace(/\s+/g, ' '), 120)))}_`);
  return lines.join('\n');
}


/** Lines packed into as few sections as Slack's text limit allows. */
function packLines(lines: readonly string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = '';
  for (const line of lines) {
    const piece = clamp(line, SLACK_LIMITS.sectionText);
    if (current && current.length + 1 + piece.length > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = '';
    }
    current = current ? `${current}\n${piece}` : piece;
  }
  if (current) blocks.push(section(current));
  return blocks;
}

/** Rows in order of time left, capped, with "and N more". */
function rowLines(s: S, rows: readonly WindowRow[], now: Date, timeZone: string, lastMessage: boolean): string[] {
  const sorted = [...rows].sort((a, b) => a.closesAt.getTime() - b.closesAt.getTime());
  const lines = sorted.slice(0, MAX_ROWS_PER_ACCOUNT).map((r) => windowRowText(s, r, now, timeZone, { lastMessage }));
  if (sorted.length > MAX_ROWS_PER_ACCOUNT) lines.push(`_${s.more(sorted.length - MAX_ROWS_PER_ACCOUNT)}_`);
  return lines;
}

/** The channel-level line of one sweep when several of the channel's conversations are closing. */
export function windowSummaryView(s: S, d: { rows: readonly WindowRow[]; now: Date; timeZone: string }): SlackMessage {
  const title = s.summary(d.rows.length);
  return { text: title, blocks: packLines([`:hourglass: *${title}*`, ...rowLines(s, d.rows, d.now, d.timeZone, false)]) };
}

export interface AccountWindows {
  accountName: string;
  rows: readonly WindowRow[];
}

/** Each account with open windows as a group of blocks, for paging. */
function accountGroups(s: S, accounts: readonly AccountWindows[], now: Date, timeZone: string): KnownBlock[][] {
  return accounts
    .filter((account) => account.rows.length > 0)
    .map((account) => packLines([s.expiring.account(escapeMrkdwn(account.accountName)), ...rowLines(s, account.rows, now, timeZone, true)]));
}

export interface ExpiringListData {
  accounts: readonly AccountWindows[];
  now: Date;
  timeZone: string;
  /** Zero-based; many accounts page. */
  page?: number;
}

/** `/whatsapp expiring`: every account's open windows, closing first at the top. */
export function expiringListView(s: S, d: ExpiringListData): SlackMessage {
  if (d.accounts.length === 0) return { text: s.expiring.noAccounts, blocks: [section(s.expiring.noAccounts)] };
  const groups = accountGroups(s, d.accounts, d.now, d.timeZone);
  if (groups.length === 0) return { text: s.expiring.empty, blocks: [section(`:white_check_mark: ${s.expiring.empty}`)] };
  const page = pageOf(groups, WINDOW_LIST_BUDGET, d.page ?? 0);
  return { text: s.expiring.title, blocks: [section(`:hourglass: *${s.expiring.title}*`), ...page.blocks, ...pagerBlocks(s.pager, WINDOW_PAGE_ACTION, page)] };
}

/** The App Home section; empty when there is no account, so the home view skips it. */
export function windowHomeSection(s: S, d: ExpiringListData): KnownBlock[] {
  if (d.accounts.length === 0) return [];
  const header: KnownBlock = { type: 'header', text: { type: 'plain_text', text: s.home.title, emoji: true } };
  const groups = accountGroups(s, d.accounts, d.now, d.timeZone);
  if (groups.length === 0) return [header, context(s.home.empty)];
  const page = pageOf(groups, WINDOW_LIST_BUDGET, d.page ?? 0);
  return [header, ...page.blocks, ...pagerBlocks(s.pager, WINDOW_PAGE_ACTION, page)];
}

export interface DigestGroup {
  /** The agent who last replied; undefined for conversations nobody has answered yet. */
  lastReplyBy?: string;
  rows: readonly WindowRow[];
}

/**
 * Each account's unanswered conversations grouped by the agent who last replied
 * (nobody-yet first: they are the most neglected), each group ordered by time left.
 * Undefined when there is nothing to say.
 */
export function digestView(s: S, d: { accountName: string; rows: readonly WindowRow[]; now: Date; timeZone: string }): SlackMessage | undefined {
  if (d.rows.length === 0) return undefined;
  const groups = new Map<string, WindowRow[]>();
  for (const row of d.rows) {
    const key = row.lastReplyBy && /^[UW][A-Z0-9]+$/.test(row.lastReplyBy) ? row.lastReplyBy : '';
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const soonest = (rows: readonly WindowRow[]) => Math.min(...rows.map((r) => r.closesAt.getTime()));
  const ordered = [...groups.entries()].sort(([a, ra], [b, rb]) => (a === '' ? -1 : b === '' ? 1 : soonest(ra) - soonest(rb)));
  const title = s.digest.title(escapeMrkdwn(d.accountName), d.rows.length);
  // One post: the groups that fit beside the title and a last line that says how many are left out.
  const blocks: KnownBlock[] = [section(`:sunrise: *${title}*`)];
  let left = 0;
  for (const [agent, rows] of ordered) {
    const heading = agent ? s.digest.lastRepliedBy(`<@${agent}>`) : s.digest.nobodyReplied;
    const group = packLines([`*${heading}*`, ...rowLines(s, rows, d.now, d.timeZone, true)]);
    if (left > 0 || blocks.length + group.length > SLACK_LIMITS.messageBlocks - 1) left += rows.length;
    else blocks.push(...group);
  }
  if (left > 0) blocks.push(context(s.digest.leftOut(left)));
  return { text: title, blocks };
}
