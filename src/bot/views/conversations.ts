import type { types } from '@slack/bolt';
import { customerHandle, type CustomerIds } from '../../domain/customer';
import { formatDateTime, formatMoney } from '../../domain/format';
import type { Strings } from '../../i18n';
import type { InboundMessage, MessageContent } from '../../whatsapp/inbound';
import { clamp, sections, SLACK_LIMITS, type SlackMessage } from './limits';

type KnownBlock = types.KnownBlock;

/**
 * Pure Block Kit builders for conversation threads: data in, blocks out.
 * Customer text is escaped so nobody can @channel or fake links through WhatsApp.
 */

type S = Strings['conversations'];

export type { SlackMessage } from './limits';

/** Action id of the "Send template" button; the templates feature listens for it. Its value is the conversation id. */
export const SEND_TEMPLATE_ACTION = 'templates.send';

/** Reactions our own bot puts on agents' messages to show WhatsApp's delivery progress. */
export const STATUS_REACTIONS = {
  sent: 'heavy_check_mark',
  delivered: 'white_check_mark',
  read: 'eyes',
  failed: 'x',
  note: 'memo',
} as const;
export type StatusReaction = keyof typeof STATUS_REACTIONS;

/**
 * Slack mrkdwn control characters. Every customer-controlled string goes through this in every
 * field Slack parses: blocks, and the top-level `text` too (notifications and clients that
 * cannot show blocks render it, mentions included).
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A customer-supplied URL as a Slack link, or undefined: only http(s), and escaped so that it
 * cannot close the link or add a label of its own (`|`).
 */
export function safeLink(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return `<${escapeMrkdwn(url.href).replace(/\|/g, '%7C')}>`;
}

/**
 * A moment Slack renders in each reader's own time zone. The fallback (notifications, clients
 * without tokens) is ours: in the language `intl` and the zone of whoever the message is for.
 */
export function slackDate(at: Date, intl: string, timeZone: string): string {
  const unix = Math.floor(at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${formatDateTime(at, intl, timeZone)}>`;
}

const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.contextText) }] });

export interface ThreadHeaderData {
  customerName?: string;
  /** The customer's username and/or number are shown; the BSUID only when there is neither. */
  customer: CustomerIds;
  accountName: string;
  windowClosesAt?: Date;
  now: Date;
  timeZone: string;
  /** Shown when the customer stopped marketing messages (already in the channel's language). */
  marketingStopped?: string;
  /** Shown while the team is outside its business hours (already in the channel's language). */
  away?: string;
}

/** The thread's root: who the customer is, which account, and until when a free reply is possible. */
export function threadHeader(s: S, d: ThreadHeaderData): SlackMessage {
  const name = d.customerName?.trim() || s.header.unknownName;
  const windowLine =
    d.windowClosesAt === undefined
      ? undefined
      : d.windowClosesAt.getTime() > d.now.getTime()
        ? `:hourglass_flowing_sand: ${s.header.replyBefore(slackDate(d.windowClosesAt, s.intl, d.timeZone))}`
        : `:no_entry: ${s.header.windowClosed(slackDate(d.windowClosesAt, s.intl, d.timeZone))}`;
  const handle = escapeMrkdwn(customerHandle(d.customer));
  const blocks: KnownBlock[] = [
    ...sections(`*${escapeMrkdwn(name)}*  ${handle}`),
    context([s.header.account(escapeMrkdwn(d.accountName)), windowLine, d.away, d.marketingStopped && `:no_bell: ${d.marketingStopped}`].filter(Boolean).join('  •  ')),
  ];
  return { text: s.header.fallback(escapeMrkdwn(name), handle), blocks };
}

function mediaLabel(s: S, content: Extract<MessageContent, { mediaId: string }>): string {
  if (content.type === 'audio' && content.voice) return s.content.voice;
  return s.content[content.type];
}

/** One line of plain text describing the content: for fallbacks, previews and Slack notifications. */
export function contentPreview(s: S, content: MessageContent): string {
  switch (content.type) {
    case 'text':
      return content.body;
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return [mediaLabel(s, content), content.caption ?? content.filename].filter(Boolean).join(': ');
    case 'location':
      return [s.content.location, content.name, content.address].filter(Boolean).join(': ');
    case 'contacts':
      return s.content.contacts(content.contacts.length);
    case 'interactive':
      return content.replyType === 'button_reply' ? s.content.buttonReply(content.title) : s.content.listReply(content.title);
    case 'button':
      return s.content.buttonReply(content.text);
    case 'reaction':
      return content.emoji ? s.content.reaction(content.emoji) : s.content.reactionRemoved;
    case 'order':
      return s.content.order(content.items.length);
    case 'system':
      return s.content.system(content.body);
    case 'unsupported':
      return s.content.unsupported(content.originalType);
  }
}

function mapUrl(latitude: number, longitude: number): string {
  return `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}`;
}

function contentBlocks(s: S, content: MessageContent): KnownBlock[] {
  switch (content.type) {
    case 'text':
      return sections(escapeMrkdwn(content.body));
    case 'location': {
      const title = [content.name, content.address].filter(Boolean).map((t) => escapeMrkdwn(t ?? '')).join(', ');
      const link = `<${mapUrl(content.latitude, content.longitude)}|${s.content.openMap}>`;
      return sections(`:round_pushpin: *${s.content.location}*${title ? `: ${title}` : ''}\n${link} (${content.latitude}, ${content.longitude})`);
    }
    case 'contacts':
      return content.contacts.flatMap((c) => {
        const lines = [
          `:bust_in_silhouette: *${escapeMrkdwn(c.name || '?')}*${c.organization ? ` (${escapeMrkdwn(c.organization)})` : ''}`,
          ...c.phones.map((p) => `:telephone_receiver: ${escapeMrkdwn(p.phone)}${p.type ? ` (${escapeMrkdwn(p.type)})` : ''}`),
          ...c.emails.map((e) => `:email: ${escapeMrkdwn(e.email)}`),
        ];
        return sections(lines.join('\n'));
      });
    case 'order': {
      const items = content.items.map((i) => `• ${escapeMrkdwn(s.content.orderItem(i.productRetailerId, i.quantity, formatMoney(i.itemPrice, i.currency, s.intl)))}`);
      return sections([`:shopping_trolley: *${s.content.order(content.items.length)}*`, ...items, content.text ? escapeMrkdwn(content.text) : ''].filter(Boolean).join('\n'));
    }
    case 'unsupported':
      return [context(`:grey_question: ${escapeMrkdwn(s.content.unsupported(content.originalType))}`)];
    case 'system':
      return [context(`:information_source: ${escapeMrkdwn(s.content.system(content.body))}`)];
    default:
      return sections(escapeMrkdwn(contentPreview(s, content)));
  }
}

/** A customer's message in the thread (media files are uploaded separately with `mediaComment`). */
export function inboundMessageView(s: S, m: Pick<InboundMessage, 'content' | 'forwarded' | 'contextWamid' | 'referral'>): SlackMessage {
  const notes: string[] = [];
  if (m.forwarded) notes.push(`:arrow_right_hook: ${s.content.forwarded}`);
  if (m.contextWamid) notes.push(`:leftwards_arrow_with_hook: ${s.content.inReplyTo}`);
  if (m.referral) {
    const link = m.referral.sourceUrl ? safeLink(m.referral.sourceUrl) : undefined;
    notes.push(`:mega: ${escapeMrkdwn(s.content.fromAd(m.referral.headline ?? ''))}${link ? ` ${link}` : ''}`);
  }
  const blocks = [...contentBlocks(s, m.content)];
  if (notes.length) blocks.push(context(notes.join('  •  ')));
  return { text: escapeMrkdwn(contentPreview(s, m.content)), blocks };
}

/** The comment that goes with an uploaded media file: its kind and the caption. */
export function mediaComment(s: S, content: Extract<MessageContent, { mediaId: string }>): string {
  return escapeMrkdwn([mediaLabel(s, content), content.caption].filter(Boolean).join(': '));
}

export function mediaUnavailableView(s: S, content: Extract<MessageContent, { mediaId: string }>): SlackMessage {
  const text = s.content.mediaUnavailable(mediaComment(s, content));
  return { text, blocks: [context(`:warning: ${text}`)] };
}

/** Told in the channel (broadcast from the thread) when a customer returns after the window closed. */
export function reopenedView(s: S, customerName: string | undefined, m: SlackMessage): SlackMessage {
  const name = escapeMrkdwn(customerName?.trim() || s.header.unknownName);
  return { text: `${s.reopened(name)} ${m.text}`, blocks: [context(`:leftwards_arrow_with_hook: ${s.reopened(name)}`), ...m.blocks] };
}

export interface FailureData {
  code: number;
  meaning: string;
  title?: string;
  conversationId: string;
}

function errorText(s: S, d: FailureData): string {
  const known = (s.errors as Record<string, string | undefined>)[d.meaning];
  return s.failed(d.code, known ?? s.unknownError(d.title ?? ''));
}

function sendTemplateButton(s: S, conversationId: string): KnownBlock {
  return {
    type: 'actions',
    elements: [{ type: 'button', action_id: SEND_TEMPLATE_ACTION, value: conversationId, style: 'primary', text: { type: 'plain_text', text: s.ephemeral.sendTemplate } }],
  };
}

/** A WhatsApp error on one of our messages, in the thread; a closed window offers a template. */
export function failureView(s: S, d: FailureData): SlackMessage {
  const text = errorText(s, d);
  const blocks: KnownBlock[] = [context(`:x: ${escapeMrkdwn(text)}`)];
  if (d.meaning === 'window_closed') blocks.push(sendTemplateButton(s, d.conversationId));
  return { text, blocks };
}

/** To the agent alone: why nothing was sent, and the way out. */
export function windowClosedEphemeral(s: S, d: { conversationId: string; closesAt?: Date; timeZone: string }): SlackMessage {
  const text = d.closesAt ? s.ephemeral.windowClosed(slackDate(d.closesAt, s.intl, d.timeZone)) : s.ephemeral.noWindow;
  return { text, blocks: [...sections(`:no_entry: ${text}`), sendTemplateButton(s, d.conversationId)] };
}

/** In the thread: the customer stopped or resumed marketing messages (Meta's `user_preferences`). */
export function preferenceView(text: string, stopped: boolean): SlackMessage {
  return { text, blocks: [context(`${stopped ? ':no_bell:' : ':bell:'} ${text}`)] };
}

export function accountOffEphemeral(s: S, accountName: string): SlackMessage {
  const text = s.ephemeral.accountOff(escapeMrkdwn(accountName));
  return { text, blocks: sections(`:zzz: ${text}`) };
}

// WhatsApp's quick reactions and a few common others; anything else is shown as text.
const EMOJI_NAMES: ReadonlyMap<string, string> = new Map([
  ['👍', '+1'],
  ['👎', '-1'],
  ['❤️', 'heart'],
  ['❤', 'heart'],
  ['😂', 'joy'],
  ['😮', 'open_mouth'],
  ['😢', 'cry'],
  ['🙏', 'pray'],
  ['👏', 'clap'],
  ['🔥', 'fire'],
  ['🎉', 'tada'],
  ['😍', 'heart_eyes'],
  ['😊', 'blush'],
  ['😀', 'grinning'],
  ['👌', 'ok_hand'],
  ['✅', 'white_check_mark'],
]);

/** Slack's name for a reaction emoji, if we know it (skin tones are dropped). */
export function slackEmojiName(emoji: string): string | undefined {
  const plain = emoji.replace(/[\u{1F3FB}-\u{1F3FF}]/gu, '');
  return EMOJI_NAMES.get(plain) ?? EMOJI_NAMES.get(plain.replace(/\uFE0F/g, ''));
}
