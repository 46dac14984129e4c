import type { KnownBlock } from '@slack/types';
import type { Strings } from '../../i18n';
import { escape } from './accounts';

/** What `/whatsapp help` (and a bare or unknown subcommand) answers. */
export function helpMessage(t: Strings, opts: { unknownWord?: string } = {}): { text: string; blocks: KnownBlock[] } {
  const h = t.common.help;
  const lines = [h.connect, h.accounts, h.templates, h.send, h.expiring, h.queue, h.replies, h.stats, h.export, h.help];
  const intro = opts.unknownWord ? `${h.unknown(escape(opts.unknownWord.slice(0, 40)))} ${h.intro}` : h.intro;
  return {
    text: `${intro}\n${lines.join('\n')}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${h.title}*\n${intro}` } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.map((l) => `• ${l}`).join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: h.home }] },
    ],
  };
}
