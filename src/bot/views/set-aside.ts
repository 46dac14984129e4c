import type { KnownBlock } from '@slack/types';
import type { Strings } from '../../i18n';
import { escapeMrkdwn } from './conversations';
import { clamp, plainText, SLACK_LIMITS } from './limits';

type S = Strings['setAside'];

export const SET_ASIDE_ACTIONS = { retry: 'set-aside.retry' } as const;

/** Accounts listed at most: the section stays within 12 blocks of the Home tab's 100 (see home.ts). */
export const SET_ASIDE_MAX_ACCOUNTS = 9;

export interface SetAsideRow {
  accountId: string;
  accountName: string;
  count: number;
  /** Why, in plain words (see reasonText). */
  reason: string;
}

/** The App Home section for admins: each account with messages Slack refused, why, and Retry. Empty when there are none. */
export function setAsideHomeSection(s: S, rows: readonly SetAsideRow[]): KnownBlock[] {
  if (rows.length === 0) return [];
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(`:warning: ${s.homeTitle}`, SLACK_LIMITS.headerText) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: s.homeIntro }] },
  ];
  for (const row of rows.slice(0, SET_ASIDE_MAX_ACCOUNTS)) {
    blocks.push({
      type: 'section',
      block_id: `set-aside.${row.accountId}`,
      text: { type: 'mrkdwn', text: clamp(`${s.account(escapeMrkdwn(row.accountName), row.count)}\n${row.reason}`, SLACK_LIMITS.sectionText) },
      accessory: { type: 'button', action_id: SET_ASIDE_ACTIONS.retry, text: plainText(s.retryButton, SLACK_LIMITS.buttonText), value: row.accountId, style: 'primary' },
    });
  }
  if (rows.length > SET_ASIDE_MAX_ACCOUNTS) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: s.moreAccounts(rows.length - SET_ASIDE_MAX_ACCOUNTS) }] });
  return blocks;
}
