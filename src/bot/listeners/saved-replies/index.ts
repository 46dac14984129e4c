import type { AllMiddlewareArgs, App, BlockAction, MessageShortcut, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, StaticSelectAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { findTeamAccount, findTeamConversation, findTeamThread, type AccountDocument } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { sendSavedReply } from '../../../conversations/replies';
import { formatDateTime } from '../../../domain/format';
import { strings } from '../../../i18n';
import { fillSavedReply, SAVED_REPLY_LIMITS, savedReplyIssues } from '../../../domain/saved-replies';
import { accountReplies, accountReply, deleteAccountReply, saveAccountReply } from '../../../saved-replies';
import { slackUser, type SlackUser } from '../../user';
import {
  SAVED_REPLY_ACTIONS,
  SAVED_REPLY_BLOCKS,
  SAVED_REPLY_SHORTCUT,
  SAVED_REPLY_VIEWS,
  savedReplyErrors,
  savedReplyFormModal,
  savedReplyListModal,
  savedReplySentView,
  sendTextBlock,
  useSavedReplyModal,
  type ReplyFormMeta,
} from '../../views/saved-replies';
import { parseActionBody, parseSubmission, tellUser, type ActionContext } from '../accounts/context';
import type { WhatsAppCommandArgs } from '../commands/types';
import { refusal, rootModalButton, type Scoped } from '../inbox';
import { noticeModal } from '../../views/accounts';
import { maySend } from '../templates/send';
import { metadata } from '../templates/shared';
import { resolveAccount } from '../templates/commands';

/**
 * Saved replies: admins manage them per account (a list modal, a form pushed on it); agents send one
 * from a conversation's thread root. Everything named by id is looked up in the request's workspace.
 */

type ActionArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs;

const rows = async (account: AccountDocument) => (await accountReplies(account)).map((r) => ({ id: String(r._id), name: r.name, text: r.text }));

async function listModal(user: SlackUser, account: AccountDocument, notice?: string) {
  return savedReplyListModal(user.t, { accountId: String(account._id), accountName: account.name, replies: await rows(account), notice });
}

const replyFields = (r: { name: string; text: string }) => ({ name: r.name, text: r.text });

/** `/whatsapp replies [account]`: the account's list, for admins. */
export async function openSavedRepliesFromCommand({ command, client, respond, deps, words }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  if (!user.isAdmin) return void (await respond({ response_type: 'ephemeral', text: user.t.common.onlyAdmins(user.t.savedReplies.listTitle) }));
  const found = await resolveAccount(command.team_id, command.channel_id, words.join(' '), { ...user.t.templates, accountAmbiguous: user.t.savedReplies.accountAmbiguous });
  if ('error' in found) return void (await respond({ response_type: 'ephemeral', text: found.error }));
  await client.views.open({ trigger_id: command.trigger_id, view: await listModal(user, found.account) });
}

/** An admin's click on a saved-reply button: acknowledged, read, and refused to anyone else. */
function adminClick(deps: Deps, run: (a: { ctx: ActionContext & { value: string }; user: SlackUser; client: WebClient }) => Promise<void>) {
  return async ({ ack, body, client, respond }: ActionArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx?.value) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (!user.isAdmin) return tellUser(client, ctx, respond, user, user.t.common.onlyAdmins(user.t.savedReplies.listTitle));
    await run({ ctx: { ...ctx, value: ctx.value }, user, client });
  };
}

const listMetaSchema = z.object({ accountId: z.string() });
const formMetaSchema: z.ZodType<ReplyFormMeta> = z.object({ accountId: z.string(), replyId: z.string().optional(), listViewId: z.string() });
const viewMetadata = (body: unknown) => z.object({ view: z.object({ private_metadata: z.string() }) }).safeParse(body);

/** The account a click in the list modal is about, from the modal's metadata, if it is the workspace's. */
async function listAccount(body: unknown, teamId: string): Promise<AccountDocument | undefined> {
  const view = viewMetadata(body);
  const meta = view.success ? metadata(listMetaSchema, view.data.view.private_metadata) : undefined;
  return meta && findTeamAccount(teamId, meta.accountId);
}

async function formAccount(body: unknown, teamId: string): Promise<{ account: AccountDocument; meta: ReplyFormMeta } | undefined> {
  const view = viewMetadata(body);
  const meta = view.success ? metadata(formMetaSchema, view.data.view.private_metadata) : undefined;
  const account = meta && (await findTeamAccount(teamId, meta.accountId));
  return meta && account ? { account, meta } : undefined;
}

function registerManage(app: App, deps: Deps): void {
  // From the account list: value is the account id.
  app.action(SAVED_REPLY_ACTIONS.manage, adminClick(deps, async ({ ctx, user, client }) => {
    const account = await findTeamAccount(ctx.teamId, ctx.value);
    if (!account) return;
    const view = await listModal(user, account);
    if (ctx.surface.type === 'modal') await client.views.push({ trigger_id: ctx.triggerId, view });
    else await client.views.open({ trigger_id: ctx.triggerId, view });
  }));

  // In the list modal: value is the account id.
  app.action(SAVED_REPLY_ACTIONS.add, adminClick(deps, async ({ ctx, user, client }) => {
    const account = await findTeamAccount(ctx.teamId, ctx.value);
    if (!account || ctx.surface.type !== 'modal') return;
    await client.views.push({ trigger_id: ctx.triggerId, view: savedReplyFormModal(user.t, { accountId: String(account._id), listViewId: ctx.surface.viewId }) });
  }));

  app.action(SAVED_REPLY_ACTIONS.edit, async (args: ActionArgs) => {
    const account = await listAccount(args.body, parseActionBody(args.body)?.teamId ?? '');
    await adminClick(deps, async ({ ctx, user, client }) => {
      const reply = account && (await accountReply(account, ctx.value));
      if (!account || !reply || ctx.surface.type !== 'modal') return;
      const meta = { accountId: String(account._id), replyId: String(reply._id), listViewId: ctx.surface.viewId };
      await client.views.push({ trigger_id: ctx.triggerId, view: savedReplyFormModal(user.t, meta, replyFields(reply)) });
    })(args);
  });

  app.action(SAVED_REPLY_ACTIONS.delete, async (args: ActionArgs) => {
    const found = await formAccount(args.body, parseActionBody(args.body)?.teamId ?? '');
    await adminClick(deps, async ({ ctx, user, client }) => {
      if (!found || ctx.surface.type !== 'modal') return;
      const deleted = await deleteAccountReply(deps, { teamId: ctx.teamId, userId: user.id }, found.account, ctx.value);
      if (!deleted) return;
      const notice = user.t.savedReplies.deleted(deleted.name);
      await client.views.update({ view_id: ctx.surface.viewId, view: await listModal(user, found.account, notice) });
      await client.views.update({ view_id: found.meta.listViewId, view: await listModal(user, found.account, notice) });
    })(args);
  });

  app.view(SAVED_REPLY_VIEWS.form, async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const submission = parseSubmission(body);
    const found = submission && (await formAccount(body, submission.teamId));
    const user = submission && (await slackUser(client, deps, submission.userId));
    if (!submission || !found || !user?.isAdmin) return void (await ack());
    const draft = { name: submission.field(SAVED_REPLY_BLOCKS.name) ?? '', text: submission.field(SAVED_REPLY_BLOCKS.text) ?? '' };
    const s = user.t.savedReplies;
    const issues = savedReplyIssues(draft);
    if (issues.length) return void (await ack({ response_action: 'errors', errors: savedReplyErrors(s, issues) }));
    const saved = await saveAccountReply(deps, { teamId: submission.teamId, userId: user.id }, found.account, draft, found.meta.replyId);
    if (!saved.ok && saved.refused === 'full') {
      return void (await ack({ response_action: 'errors', errors: { [SAVED_REPLY_BLOCKS.name]: s.full(SAVED_REPLY_LIMITS.perAccount) } }));
    }
    if (!saved.ok && saved.refused === 'taken') return void (await ack({ response_action: 'errors', errors: savedReplyErrors(s, [{ field: 'name', problem: 'taken' }]) }));
    await ack();
    if (!saved.ok) return;
    await client.views.update({ view_id: found.meta.listViewId, view: await listModal(user, found.account, s.saved(saved.reply.name)) });
  });
}

const useMetaSchema = z.object({ conversationId: z.string(), replyId: z.string().optional() });

/** The use modal for a conversation, with `replyId` picked and filled in for this agent and customer. */
async function useModal(user: SlackUser, found: Scoped, replyId?: string) {
  const replies = await accountReplies(found.account);
  const picked = replyId ? replies.find((r) => String(r._id) === replyId) : undefined;
  return useSavedReplyModal(user.t, {
    conversationId: String(found.conversation._id),
    accountName: found.account.name,
    replies: replies.map((r) => ({ id: String(r._id), name: r.name })),
    ...(picked ? { picked: { id: String(picked._id), filled: fillSavedReply(picked.text, { name: found.conversation.profileName ?? undefined, agent: user.name }) } } : {}),
  });
}

function registerUse(app: App, deps: Deps): void {
  // "Saved reply" on the thread root: value is the conversation id.
  app.action(SAVED_REPLY_ACTIONS.use, rootModalButton(deps, (user, found) => useModal(user, found)));

  // The same from the message shortcut, on any message of the thread (or its root).
  app.shortcut<MessageShortcut>(SAVED_REPLY_SHORTCUT, async ({ ack, shortcut, client }) => {
    await ack();
    const user = await slackUser(client, deps, shortcut.user.id);
    const teamId = shortcut.team?.id ?? shortcut.user.team_id ?? '';
    const found = await findTeamThread(teamId, shortcut.channel.id, shortcut.message.thread_ts ?? shortcut.message.ts);
    const refused = found ? await refusal(client, deps, user, found) : user.t.savedReplies.notAConversation;
    const view = found && !refused ? await useModal(user, found) : noticeModal(user.t, user.t.savedReplies.useTitle, refused ?? '');
    await client.views.open({ trigger_id: shortcut.trigger_id, view });
  });

  app.action<BlockAction<StaticSelectAction>>(SAVED_REPLY_ACTIONS.pick, async ({ ack, body, action, client }) => {
    await ack();
    const view = viewMetadata(body);
    const meta = view.success ? metadata(useMetaSchema, view.data.view.private_metadata) : undefined;
    const teamId = body.team?.id ?? body.user.team_id ?? '';
    const found = meta && (await findTeamConversation(teamId, meta.conversationId));
    if (!found || !body.view) return;
    const user = await slackUser(client, deps, body.user.id);
    if (!(await maySend(client, deps, user, found.account))) return;
    await client.views.update({ view_id: body.view.id, view: await useModal(user, found, action.selected_option.value) });
  });

  app.view(SAVED_REPLY_VIEWS.use, async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>) => {
    const submission = parseSubmission(body);
    const meta = submission && metadata(useMetaSchema, submission.privateMetadata);
    const found = submission && meta && (await findTeamConversation(submission.teamId, meta.conversationId));
    if (!submission || !meta?.replyId || !found) return void (await ack());
    const user = await slackUser(client, deps, submission.userId);
    if (!(await maySend(client, deps, user, found.account))) return void (await ack());
    const block = sendTextBlock(meta.replyId);
    const text = submission.field(block) ?? '';
    // Shown in the thread in the channel's language, as the rest of it is.
    const shown = savedReplySentView(strings(found.account.locale).savedReplies, user.id, text.trim());
    const outcome = await sendSavedReply(deps, found, { key: `saved:${submission.viewId}`, userId: user.id, text, shown });
    // Refused as a typed reply would be, on the field (plain text: no Slack date tokens there).
    if (outcome.kind === 'window_closed') {
      const c = user.t.conversations;
      const why = outcome.closesAt ? c.ephemeral.windowClosed(formatDateTime(outcome.closesAt, c.intl, user.timeZone)) : c.ephemeral.noWindow;
      return void (await ack({ response_action: 'errors', errors: { [block]: why } }));
    }
    if (outcome.kind === 'account_off') return void (await ack({ response_action: 'errors', errors: { [block]: user.t.conversations.ephemeral.accountOff(outcome.accountName) } }));
    if (outcome.kind === 'ignored' && outcome.reason === 'empty') return void (await ack({ response_action: 'errors', errors: { [block]: user.t.savedReplies.issues.textEmpty } }));
    await ack();
  });
}

export function registerSavedReplies(app: App, deps: Deps): void {
  registerManage(app, deps);
  registerUse(app, deps);
}
