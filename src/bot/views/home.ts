import type { HomeView, KnownBlock } from '@slack/types';
import type { Strings } from '../../i18n';

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
