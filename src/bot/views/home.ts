import type { HomeView, KnownBlock } from '@slack/types';
import type { Strings } from '../../i18n';

/** Slack refuses a Home view with more than 100 blocks. */
const MAX_BLOCKS = 100;

/**
 * The App Home tab: a header, then each feature's section separated by dividers.
 * Features contribute sections (accounts, windows, ...); empty ones are skipped.
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
  return { type: 'home', blocks: blocks.slice(0, MAX_BLOCKS) };
}
