import type { types } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { InboxStatus } from '../../domain/inbox';
import type { Strings } from '../../i18n';
import { escapeMrkdwn } from './conversations';
import { clamp, plainText, sections, SLACK_LIMITS, type SlackMessage } from './limits';
import { CONTACT_ACTION, tagsLine } from './contact';
import { SAVED_REPLY_ACTIONS } from './saved-replies';
import { threadLink } from './window';

type KnownBlock = types.KnownBlock;
type T = Strings['inbox'];

/** Buttons on the thread root; each button's value is the conversation id. */
export const INBOX_ACTIONS = {
  claim: 'inbox.claim',
  assign: 'inbox.assign',
  unassign: 'inbox.unassign',
  resolve: 'inbox.resolve',
  pending: 'inbox.pending',
  reopen: 'inbox.reopen',
} as const;

export const INBOX_VIEWS = { assign: 'inbox.assign_modal' } as const;
export const ASSIGN_BLOCK = 'inbox_assignee';

/** Reactions on the thread root that act on it, by Slack emoji name. */
export const INBOX_REACTIONS = { claim: 'eyes', resolve: 'white_check_mark' } as const;

const STATUS_EMOJI: Record<InboxStatus, string> = { open: ':large_green_circle:', pending: ':hourglass:', resolved: ':white_check_mark:' };

export const mention = (userId: string) => `<@${userId}>`;

export interface InboxHeaderData {
  conversationId: string;
  assignee?: string;
  status: InboxStatus;
  /** The contact card's tags. */
  tags?: readonly string[];
}

/** What the root adds to the customer header: where the conversation stands, who has it, its tags; the buttons to change that, Saved reply and Contact. */
export function inboxHeaderBlocks(strings: Strings, d: InboxHeaderData): KnownBlock[] {
  const t = strings.inbox;
  const who = d.assignee ? t.header.assignedTo(mention(d.assignee)) : t.header.unassigned;
  const button = (actionId: string, text: string, style?: 'primary') => ({
    type: 'button' as const,
    action_id: actionId,
    value: d.conversationId,
    text: plainText(text, SLACK_LIMITS.buttonText),
    ...(style ? { style } : {}),
  });
  const owner = d.assignee
    ? [button(INBOX_ACTIONS.assign, t.assignButton), button(INBOX_ACTIONS.unassign, t.unassignButton)]
    : [button(INBOX_ACTIONS.claim, t.claimButton, 'primary'), button(INBOX_ACTIONS.assign, t.assignButton)];
  const status =
    d.status === 'open'
      ? [button(INBOX_ACTIONS.pending, t.pendingButton), button(INBOX_ACTIONS.resolve, t.resolveButton)]
      : d.status === 'pending'
        ? [button(INBOX_ACTIONS.resolve, t.resolveButton), button(INBOX_ACTIONS.reopen, t.reopenButton)]
        : [button(INBOX_ACTIONS.reopen, t.reopenButton)];
  const more = [button(SAVED_REPLY_ACTIONS.use, strings.savedReplies.useButton), button(CONTACT_ACTION, strings.contact.button)];
  const line = [`${STATUS_EMOJI[d.status]} *${t.status[d.status]}*`, who, tagsLine(strings.contact, d.tags ?? [])].filter(Boolean).join('  •  ');
  return [
    { type: 'context', elements: [{ type: 'mrkdwn', text: clamp(line, SLACK_LIMITS.contextText) }] },
    { type: 'actions', block_id: 'inbox', elements: [...owner, ...status, ...more] },
  ];
}

/** "Assign to…": pick who handles the conversation. */
export function assignModal(t: Strings, d: { conversationId: string; assignee?: string }): ModalView {
  return {
    type: 'modal',
    callback_id: INBOX_VIEWS.assign,
    private_metadata: JSON.stringify({ conversationId: d.conversationId }),
    title: plainText(t.inbox.assignTitle, SLACK_LIMITS.viewTitle),
    submit: plainText(t.inbox.assignSubmit, SLACK_LIMITS.viewTitle),
    close: plainText(t.common.cancel, SLACK_LIMITS.viewTitle),
    blocks: [
      {
        type: 'input',
        block_id: ASSIGN_BLOCK,
        label: plainText(t.inbox.assignLabel, SLACK_LIMITS.inputLabel),
        element: {
          type: 'users_select',
          action_id: 'user',
          placeholder: plainText(t.inbox.assignPlaceholder, SLACK_LIMITS.placeholder),
          ...(d.assignee ? { initial_user: d.assignee } : {}),
        },
      },
    ],
  };
}

/** A short answer to whoever acted, as text and one section. */
export function inboxNotice(text: string): SlackMessage {
  return { text, blocks: sections(text) };
}

/** The customer as a name in our messages, escaped. */
export const customerLabel = (name: string | undefined, fallback: string) => `*${escapeMrkdwn(name?.trim() || fallback)}*`;

/** The DM to someone handed a conversation. */
export function handedToYouView(t: T, d: { by: string; customer: string; channelId: string; threadTs: string }): SlackMessage {
  return inboxNotice(t.handedToYou(mention(d.by), d.customer, `<${threadLink(d.channelId, d.threadTs)}|${t.threadLink}>`));
}

/** In the thread, for its assignee, when the customer wrote again to a pending or resolved conversation. */
export function reopenedForView(t: T, d: { assignee: string; customer: string; before: InboxStatus }): SlackMessage {
  return inboxNotice(t.reopenedFor(mention(d.assignee), d.customer, t.status[d.before]));
}
