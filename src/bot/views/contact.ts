import type { types } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { CONTACT_LIMITS, type ContactIssue } from '../../domain/contact';
import type { Strings } from '../../i18n';
import { escapeMrkdwn, slackDate } from './conversations';
import { clamp, plainText, SLACK_LIMITS } from './limits';

type KnownBlock = types.KnownBlock;

/** "Contact" on the thread root; value: the conversation id. */
export const CONTACT_ACTION = 'contact.open';
export const CONTACT_VIEW = 'contact.card';
export const CONTACT_BLOCKS = { tags: 'contact_tags', notes: 'contact_notes' } as const;

export interface ContactCardData {
  conversationId: string;
  name: string;
  /** Username and/or number (see customerHandle). */
  handle: string;
  firstSeen: Date;
  conversations: number;
  inbound: number;
  outbound: number;
  optedOutAt?: Date;
  tags: readonly string[];
  notes: string;
  timeZone: string;
}

/** The card: who the customer is and their history with us, then the tags and notes agents keep. */
export function contactModal(t: Strings, d: ContactCardData): ModalView {
  const c = t.contact;
  const when = (at: Date) => slackDate(at, t.conversations.intl, d.timeZone);
  const facts = [
    `*${escapeMrkdwn(clamp(d.name, 200))}*  ${escapeMrkdwn(clamp(d.handle, 200))}`,
    c.firstSeen(when(d.firstSeen)),
    c.conversations(d.conversations),
    c.messages(d.inbound, d.outbound),
    d.optedOutAt ? c.optedOut(when(d.optedOutAt)) : c.notOptedOut,
  ].join('\n');
  const input = (blockId: string, label: string, hint: string, value: string, multiline: boolean, max: number): KnownBlock => ({
    type: 'input',
    block_id: blockId,
    optional: true,
    label: plainText(label, SLACK_LIMITS.inputLabel),
    hint: plainText(hint, SLACK_LIMITS.inputLabel),
    element: { type: 'plain_text_input', action_id: 'value', multiline, max_length: max, ...(value ? { initial_value: clamp(value, max) } : {}) },
  });
  return {
    type: 'modal',
    callback_id: CONTACT_VIEW,
    private_metadata: JSON.stringify({ conversationId: d.conversationId }),
    title: plainText(c.title, SLACK_LIMITS.viewTitle),
    submit: plainText(c.save, SLACK_LIMITS.viewTitle),
    close: plainText(t.common.close, SLACK_LIMITS.viewTitle),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: facts } },
      input(CONTACT_BLOCKS.tags, c.tagsLabel, c.tagsHint, d.tags.join(', '), false, CONTACT_LIMITS.tags * (CONTACT_LIMITS.tag + 2)),
      input(CONTACT_BLOCKS.notes, c.notesLabel, c.notesHint, d.notes, true, CONTACT_LIMITS.notes),
    ],
  };
}

/** The card's problems as Slack's `response_action: 'errors'`, by block. */
export function contactErrors(t: Strings['contact'], issues: readonly ContactIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    if (issue.field === 'notes') errors[CONTACT_BLOCKS.notes] = t.issues.notesTooLong(CONTACT_LIMITS.notes);
    else if (issue.problem === 'too_many') errors[CONTACT_BLOCKS.tags] = t.issues.tooMany(CONTACT_LIMITS.tags);
    else if (issue.problem === 'bad_tag') errors[CONTACT_BLOCKS.tags] = t.issues.badTag(clamp(issue.tag ?? '', 40));
    else errors[CONTACT_BLOCKS.tags] = t.issues.tooLong(clamp(issue.tag ?? '', 40), CONTACT_LIMITS.tag);
  }
  return errors;
}

/** The tags as the thread root shows them. */
export function tagsLine(t: Strings['contact'], tags: readonly string[]): string | undefined {
  return tags.length ? t.tagsShown(tags.map((tag) => `\`${escapeMrkdwn(tag)}\``).join(' ')) : undefined;
}
