import type { HomeView, KnownBlock } from '@slack/types';
import type { Strings } from '../../i18n';
import { ACCOUNT_LIST_BUDGET } from './accounts';
import { METRICS_SECTION_MAX_BLOCKS } from './metrics';
import { QUEUE_SECTION_MAX_BLOCKS } from './queues';
import { SET_ASIDE_MAX_ACCOUNTS } from './set-aside';
import { WINDOW_LIST_BUDGET } from './window';

/** The header and intro above the sections. */
export const HOME_FRAME_BLOCKS = 2;

/**
 * The most blocks each Home section takes, each paging or capping itself to stay within it. With the
 * frame and a divider before each, they add up to at most Slack's 100 (`HOME_MAX_BLOCKS`; a unit test holds it to that).
 */
export const HOME_SECTION_MAX_BLOCKS = {
  /** Notice, header and Add; a page of accounts; the pager. */
  accounts: 3 + ACCOUNT_LIST_BUDGET + 2,
  /** Header and intro; an account a block; "and N more". */
  setAside: 2 + SET_ASIDE_MAX_ACCOUNTS + 1,
  /** Header; a page of accounts' windows; the pager. */
  windows: 1 + WINDOW_LIST_BUDGET + 2,
  queues: QUEUE_SECTION_MAX_BLOCKS,
  /** Admins only: header, the period toggle, a page of accounts, the pager. */
  metrics: METRICS_SECTION_MAX_BLOCKS,
} as const;

export const HOME_MAX_BLOCKS =
  HOME_FRAME_BLOCKS + Object.values(HOME_SECTION_MAX_BLOCKS).reduce((sum, blocks) => sum + 1 + blocks, 0);

/**
 * The App Home tab: a header, then each feature's section separated by dividers.
 * Features contribute sections (accounts, windows, ...); empty ones are skipped.
 * Each section pages within its own budget, so together they stay within Slack's 100 blocks.
 */
export function buildHomeView(t: Strings, sections: readonly KnownBlock[][]): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: t.common.home.header, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: t.common.home.intro }] },
  ];
  for (const section of sections) {
    if (section.length === 0) continue;
    blocks.push({ type: 'divider' }, ...section);
  }
  return { type: 'home', blocks };
}
