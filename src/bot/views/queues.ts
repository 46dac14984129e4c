import type { types } from '@slack/bolt';
import { QUEUES, type QueueName } from '../../domain/queues';
import type { Strings } from '../../i18n';
import { escapeMrkdwn, slackDate } from './conversations';
import { mention } from './inbox';
import { clamp, pagerBlocks, plainText, SLACK_LIMITS, type SlackMessage } from './limits';
import { timeLeft } from './window';

type KnownBlock = types.KnownBlock;

/** Rows a page of one queue shows: each a block, so a queue takes at most its heading, these and a pager. */
export const QUEUE_PAGE_SIZE = 5;
/** The most blocks the queues take: title and intro, then per queue a heading, a page of rows and a pager. */
export const QUEUE_SECTION_MAX_BLOCKS = 2 + QUEUES.length * (1 + QUEUE_PAGE_SIZE + 2);
/** A queue's pager: `inbox.queue.<queue>.<page>`; the value carries the page and the account filter (see `queuePagerValue`). */
export const QUEUE_PAGE_ACTION = 'inbox.queue';
export const queuePageAction = (queue: QueueName) => `${QUEUE_PAGE_ACTION}.${queue}`;

export interface QueueRow {
  customerName?: string;
  /** Username and/or number (see customerHandle). */
  handle: string;
  closesAt?: Date;
  assignee?: string;
  link?: string;
}

export interface QueueList {
  queue: QueueName;
  rows: readonly QueueRow[];
  total: number;
  page: number;
  pages: number;
}

export interface QueuesData {
  lists: readonly QueueList[];
  now: Date;
  timeZone: string;
  /** The account the lists are limited to, by id and name, when one was asked for. */
  account?: { id: string; name: string };
  /** The contact tag the lists are limited to, when one was asked for. */
  tag?: string;
}

/** What a queue pager button carries: the page to show and the account filter, checked against the workspace when clicked. */
export function queuePagerValue(page: number, accountId?: string, tag?: string): string {
  return JSON.stringify({ page, ...(accountId ? { accountId } : {}), ...(tag ? { tag } : {}) });
}

const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.contextText) }] });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.sectionText) } });

function rowText(t: Strings, row: QueueRow, d: QueuesData, showAssignee: boolean): string {
  const q = t.inbox.queues;
  // Names are clamped before escaping, so a row stays far within a section's 3,000 characters.
  const name = `*${escapeMrkdwn(clamp(row.customerName?.trim() || t.conversations.header.unknownName, 80))}*`;
  const who = row.link ? `<${row.link}|${name}>` : `${name} _(${q.noThread})_`;
  const left =
    row.closesAt && row.closesAt.getTime() > d.now.getTime()
      ? `:hourglass_flowing_sand: ${q.left(timeLeft(t.window, row.closesAt.getTime() - d.now.getTime()), slackDate(row.closesAt, t.conversations.intl, d.timeZone))}`
      : `:no_entry: ${q.closed}`;
  const owner = showAssignee ? `  •  ${row.assignee ? mention(row.assignee) : `_${q.nobody}_`}` : '';
  return `${who}  ${escapeMrkdwn(clamp(row.handle, 80))}\n${left}${owner}`;
}

function listBlocks(t: Strings, list: QueueList, d: QueuesData): KnownBlock[] {
  const q = t.inbox.queues;
  const rows = list.rows.slice(0, QUEUE_PAGE_SIZE).map((row) => section(rowText(t, row, d, list.queue !== 'mine')));
  return [
    section(q.heading(q.names[list.queue], list.total)),
    ...(rows.length ? rows : [context(q.empty)]),
    ...pagerBlocks(t.common.pager, queuePageAction(list.queue), { blocks: [], page: list.page, pages: list.pages }, (to) => queuePagerValue(to, d.account?.id, d.tag)),
  ];
}

/** The queues, most urgent first in each: on the App Home, or privately from `/whatsapp queue`. */
export function queuesBlocks(t: Strings, d: QueuesData): KnownBlock[] {
  const q = t.inbox.queues;
  const intro = [d.account ? q.account(escapeMrkdwn(d.account.name)) : undefined, d.tag ? q.tag(escapeMrkdwn(d.tag)) : undefined, q.intro].filter(Boolean).join('  •  ');
  return [{ type: 'header', text: plainText(q.title, SLACK_LIMITS.headerText) }, context(intro), ...d.lists.flatMap((list) => listBlocks(t, list, d))];
}

export function queuesMessage(t: Strings, d: QueuesData): SlackMessage {
  return { text: t.inbox.queues.title, blocks: queuesBlocks(t, d) };
}
