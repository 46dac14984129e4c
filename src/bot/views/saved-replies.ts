import type { types } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { SAVED_REPLY_LIMITS, type SavedReplyIssue } from '../../domain/saved-replies';
import type { Strings } from '../../i18n';
import { escapeMrkdwn } from './conversations';
import { clamp, plainText, sections, SLACK_LIMITS, viewTitle, type SlackMessage } from './limits';

type KnownBlock = types.KnownBlock;
type S = Strings['savedReplies'];

export const SAVED_REPLY_ACTIONS = {
  /** "Saved replies" on an account of the list; value: the account id. */
  manage: 'replies.manage',
  add: 'replies.add',
  /** Value: the reply id. */
  edit: 'replies.edit',
  delete: 'replies.delete',
  /** "Saved reply" on the thread root; value: the conversation id. */
  use: 'replies.use',
  pick: 'replies.pick',
} as const;

/** The message shortcut "Saved reply", on any message of a conversation thread. */
export const SAVED_REPLY_SHORTCUT = 'replies.shortcut';

export const SAVED_REPLY_VIEWS = { list: 'replies.list', form: 'replies.form', use: 'replies.use_modal' } as const;
export const SAVED_REPLY_BLOCKS = { name: 'reply_name', text: 'reply_text' } as const;
/** The editable message of the use modal: its block id names the reply, so picking another one replaces what was typed. */
export const sendTextBlock = (replyId: string) => `reply_send_${replyId}`;

export interface ReplyRow {
  id: string;
  name: string;
  text: string;
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
const button = (text: string) => plainText(text, SLACK_LIMITS.buttonText);

/** The account's replies, each with Edit, and Add: a block a reply (at most SAVED_REPLY_LIMITS.perAccount). */
export function savedReplyListModal(t: Strings, d: { accountId: string; accountName: string; replies: readonly ReplyRow[]; notice?: string }): ModalView {
  const s = t.savedReplies;
  const blocks: KnownBlock[] = [];
  if (d.notice) blocks.push({ type: 'context', elements: [mrkdwn(`:white_check_mark: ${d.notice}`)] });
  blocks.push(
    { type: 'section', text: mrkdwn(clamp(s.listIntro(escapeMrkdwn(d.accountName)), SLACK_LIMITS.sectionText)) },
    { type: 'actions', block_id: 'replies.list.actions', elements: [{ type: 'button', action_id: SAVED_REPLY_ACTIONS.add, text: button(s.addButton), style: 'primary', value: d.accountId }] },
  );
  if (d.replies.length === 0) blocks.push({ type: 'context', elements: [mrkdwn(s.empty)] });
  for (const reply of d.replies.slice(0, SAVED_REPLY_LIMITS.perAccount)) {
    blocks.push({
      type: 'section',
      block_id: `reply.${reply.id}`,
      text: mrkdwn(`*${escapeMrkdwn(reply.name)}*\n${escapeMrkdwn(clamp(reply.text.replace(/\s+/g, ' '), 200))}`),
      accessory: { type: 'button', action_id: SAVED_REPLY_ACTIONS.edit, text: button(s.editButton), value: reply.id },
    });
  }
  return {
    type: 'modal',
    callback_id: SAVED_REPLY_VIEWS.list,
    private_metadata: JSON.stringify({ accountId: d.accountId }),
    title: viewTitle(s.listTitle),
    close: viewTitle(t.common.close),
    blocks,
  };
}

export interface ReplyFormMeta {
  accountId: string;
  replyId?: string;
  /** The list modal under this one, refreshed after a save or delete. */
  listViewId: string;
}

function textInput(blockId: string, label: string, value: string, opts: { multiline: boolean; max: number; hint?: string }): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plainText(label, SLACK_LIMITS.inputLabel),
    ...(opts.hint ? { hint: plainText(opts.hint, SLACK_LIMITS.inputLabel) } : {}),
    element: { type: 'plain_text_input', action_id: 'value', multiline: opts.multiline, max_length: opts.max, ...(value ? { initial_value: clamp(value, opts.max) } : {}) },
  };
}

/** Add or edit one reply; editing offers Delete (confirmed). */
export function savedReplyFormModal(t: Strings, meta: ReplyFormMeta, values: { name: string; text: string } = { name: '', text: '' }): ModalView {
  const s = t.savedReplies;
  const blocks: KnownBlock[] = [
    textInput(SAVED_REPLY_BLOCKS.name, s.nameLabel, values.name, { multiline: false, max: SAVED_REPLY_LIMITS.name }),
    textInput(SAVED_REPLY_BLOCKS.text, s.textLabel, values.text, { multiline: true, max: SAVED_REPLY_LIMITS.text, hint: s.textHint }),
  ];
  if (meta.replyId) {
    blocks.push({
      type: 'actions',
      block_id: 'replies.form.actions',
      elements: [
        {
          type: 'button',
          action_id: SAVED_REPLY_ACTIONS.delete,
          text: button(s.deleteButton),
          style: 'danger',
          value: meta.replyId,
          confirm: {
            title: plainText(s.deleteConfirmTitle, SLACK_LIMITS.confirmTitle),
            text: mrkdwn(clamp(s.deleteConfirmText(escapeMrkdwn(values.name)), SLACK_LIMITS.confirmText)),
            confirm: plainText(s.deleteConfirmYes, SLACK_LIMITS.confirmButton),
            deny: plainText(t.common.cancel, SLACK_LIMITS.confirmButton),
            style: 'danger',
          },
        },
      ],
    });
  }
  return {
    type: 'modal',
    callback_id: SAVED_REPLY_VIEWS.form,
    private_metadata: JSON.stringify(meta),
    title: viewTitle(s.formTitle),
    submit: viewTitle(s.formSave),
    close: viewTitle(t.common.cancel),
    blocks,
  };
}

function issueText(s: S, issue: SavedReplyIssue): string {
  if (issue.problem === 'unknown_placeholder') return s.issues.unknownPlaceholder(issue.placeholder);
  if (issue.problem === 'taken') return s.issues.nameTaken;
  if (issue.field === 'name') return issue.problem === 'empty' ? s.issues.nameEmpty : s.issues.nameTooLong(SAVED_REPLY_LIMITS.name);
  return issue.problem === 'empty' ? s.issues.textEmpty : s.issues.textTooLong(SAVED_REPLY_LIMITS.text);
}

/** The form's problems as Slack's `response_action: 'errors'`, by block. */
export function savedReplyErrors(s: S, issues: readonly SavedReplyIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const block = issue.field === 'name' ? SAVED_REPLY_BLOCKS.name : SAVED_REPLY_BLOCKS.text;
    if (errors[block]) continue;
    errors[block] = issueText(s, issue);
  }
  return errors;
}

export interface UseMeta {
  conversationId: string;
  replyId?: string;
}

/** Pick a reply, see it filled in, edit it, Send. */
export function useSavedReplyModal(
  t: Strings,
  d: { conversationId: string; accountName: string; replies: readonly Pick<ReplyRow, 'id' | 'name'>[]; picked?: { id: string; filled: string } },
): ModalView {
  const s = t.savedReplies;
  const options = d.replies.slice(0, SLACK_LIMITS.selectOptions).map((r) => ({ text: plainText(r.name, SLACK_LIMITS.optionText), value: r.id }));
  const initial = d.picked ? options.find((o) => o.value === d.picked?.id) : undefined;
  const blocks: KnownBlock[] =
    options.length === 0
      ? sections(s.noReplies(escapeMrkdwn(d.accountName)))
      : [
          {
            type: 'section',
            block_id: 'reply_pick',
            text: mrkdwn(`*${s.pickLabel}*`),
            accessory: {
              type: 'static_select',
              action_id: SAVED_REPLY_ACTIONS.pick,
              placeholder: plainText(s.pickPlaceholder, SLACK_LIMITS.placeholder),
              options,
              ...(initial ? { initial_option: initial } : {}),
            },
          },
        ];
  if (d.picked) blocks.push(textInput(sendTextBlock(d.picked.id), s.editLabel, d.picked.filled, { multiline: true, max: SAVED_REPLY_LIMITS.text }));
  const meta: UseMeta = { conversationId: d.conversationId, ...(d.picked ? { replyId: d.picked.id } : {}) };
  return {
    type: 'modal',
    callback_id: SAVED_REPLY_VIEWS.use,
    private_metadata: JSON.stringify(meta),
    title: viewTitle(s.useTitle),
    ...(d.picked ? { submit: viewTitle(s.useSend) } : {}),
    close: viewTitle(t.common.cancel),
    blocks,
  };
}

/** The saved reply in the thread, as the agent's message: WhatsApp's delivery reactions go on it. */
export function savedReplySentView(s: S, agentId: string, text: string): SlackMessage {
  const shown = s.sentBy(`<@${agentId}>`, escapeMrkdwn(text));
  return { text: shown, blocks: sections(shown) };
}
