import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

/**
 * What Slack accepts, from docs.slack.dev/reference/block-kit: a view over any
 * of these is refused whole (invalid_blocks, invalid_arguments), so every view
 * keeps within them. Labels are clamped with an ellipsis; text is split, never cut.
 */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  messageText: 40_000,
  sectionText: 3_000,
  contextText: 3_000,
  headerText: 150,
  buttonText: 75,
  optionText: 75,
  optionDescription: 75,
  viewTitle: 24,
  placeholder: 150,
  selectOptions: 100,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  inputLabel: 2_000,
} as const;

/** Where a cut may fall: not inside a surrogate pair (an emoji), nor inside an `&amp;`-style entity. */
function safeCut(text: string, at: number): number {
  let cut = at;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 6 && !text.slice(amp, cut).includes(';')) cut = amp;
  return cut > 0 ? cut : at;
}

/** `text` within `max` characters, its end replaced by an ellipsis when it had to be cut. */
export function clamp(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1)).trimEnd()}…`;
}

/** `text` in pieces of at most `max` characters, broken at a line end or a space where one is near. */
export function splitText(text: string, max: number = SLACK_LIMITS.sectionText): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const breakAt = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const cut = breakAt > max / 2 ? breakAt + 1 : safeCut(rest, max);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces.filter((p) => p.trim().length > 0);
}

export const plainText = (text: string, max: number) => ({ type: 'plain_text' as const, text: clamp(text, max) || ' ', emoji: true });

/** mrkdwn of any length as section blocks, each within Slack's 3,000 characters. */
export function sections(mrkdwn: string): KnownBlock[] {
  const pieces = splitText(mrkdwn);
  return (pieces.length ? pieces : [' ']).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

function blockText(block: KnownBlock): string {
  return block.type === 'section' && block.text ? block.text.text : '';
}

/**
 * A message as one or more posts of at most 50 blocks each. The first keeps the full
 * `text` fallback; each further one falls back to its own sections' text.
 */
export function messageParts(message: SlackMessage): SlackMessage[] {
  const parts: SlackMessage[] = [];
  for (let at = 0; at < message.blocks.length; at += SLACK_LIMITS.messageBlocks) {
    const blocks = message.blocks.slice(at, at + SLACK_LIMITS.messageBlocks);
    const text = at === 0 ? message.text : blocks.map(blockText).filter(Boolean).join('\n');
    parts.push({ text: clamp(text || message.text, SLACK_LIMITS.messageText), blocks });
  }
  return parts.length ? parts : [{ text: clamp(message.text, SLACK_LIMITS.messageText), blocks: [] }];
}
