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

/** A modal's title, within Slack's 24 characters. */
export const viewTitle = (text: string) => plainText(text, SLACK_LIMITS.viewTitle);

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

/** One page of a list whose entries are groups of blocks that must stay together. */
export interface Page {
  blocks: KnownBlock[];
  /** Zero-based, clamped to the pages there are. */
  page: number;
  pages: number;
}

/**
 * Groups packed into pages of at most `budget` blocks, in order, never splitting a group;
 * returns the one asked for. A list that could pass a surface's block limit pages instead.
 */
export function pageOf(groups: readonly KnownBlock[][], budget: number, page: number): Page {
  const pages: KnownBlock[][] = [[]];
  for (const group of groups) {
    const current = pages[pages.length - 1] ?? [];
    if (current.length > 0 && current.length + group.length > budget) pages.push([...group]);
    else current.push(...group);
  }
  const at = Math.min(Math.max(0, Math.trunc(page)), pages.length - 1);
  return { blocks: pages[at] ?? [], page: at, pages: pages.length };
}

export interface PagerLabels {
  previousPage: string;
  nextPage: string;
  pageOf: (page: number, pages: number) => string;
}

/**
 * "Page 2 of 3" and Previous/Next buttons (values: the page to show, or what `value` makes of it), or nothing for one page.
 * Two blocks at most.
 */
export function pagerBlocks(labels: PagerLabels, actionId: string, { page, pages }: Page, value: (to: number) => string = String): KnownBlock[] {
  if (pages <= 1) return [];
  const button = (text: string, to: number) => ({ type: 'button' as const, action_id: `${actionId}.${to}`, text: plainText(text, SLACK_LIMITS.buttonText), value: value(to) });
  const elements = [...(page > 0 ? [button(labels.previousPage, page - 1)] : []), ...(page < pages - 1 ? [button(labels.nextPage, page + 1)] : [])];
  return [
    { type: 'context', elements: [{ type: 'mrkdwn', text: labels.pageOf(page + 1, pages) }] },
    { type: 'actions', block_id: `${actionId}.pager`, elements },
  ];
}

/** The page a pager button asks for, from its action_id (`<actionId>.<page>`). */
export const PAGER_ACTION = (actionId: string) => new RegExp(`^${actionId.replace(/\./g, '\\.')}\\.\\d+$`);
