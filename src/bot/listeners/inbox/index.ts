import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs, SlackEventMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { findTeamConversation, findTeamThread, type Actor } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { changeInbox, type InboxChange, type InboxOutcome } from '../../../inbox';
import { slackUser, type SlackUser } from '../../user';
import { ASSIGN_BLOCK, assignModal, customerLabel, INBOX_ACTIONS, INBOX_REACTIONS, INBOX_VIEWS, mention } from '../../views/inbox';
import { parseActionBody, parseSubmission, tellUser, type ActionContext } from '../accounts/context';
import { maySend } from '../templates/send';
import { metadata } from '../templates/shared';
import { registerQueues } from './queues';

export type Scoped = NonNullable<Awaited<ReturnType<typeof findTeamConversation>>>;

/** What to tell whoever acted; nothing when the thread root, updated in place, says it. */
function answer(user: SlackUser, outcome: InboxOutcome, customerName: string | undefined): string | undefined {
  const t = user.t.inbox;
  const name = customerLabel(customerName, user.t.conversations.header.unknownName);
  switch (outcome.kind) {
    case 'taken':
      return t.taken(name, mention(outcome.holder));
    case 'already_yours':
      return t.alreadyYours(name);
    case 'unchanged':
      return t.unchanged;
    case 'gone':
      return t.gone;
    default:
      return undefined;
  }
}

/** Why `user` may not run this conversation, if so: channel members and admins may, the same people who may send its templates. */
/** Why `user` may not act on the conversation, or undefined: it is gone, or they are not in its channel. */
export async function refusal(client: WebClient, deps: Deps, user: SlackUser, found: Scoped | undefined): Promise<string | undefined> {
  if (!found) return user.t.inbox.gone;
  return (await maySend(client, deps, user, found.account)) ? undefined : user.t.inbox.notMember;
}

async function act(client: WebClient, deps: Deps, user: SlackUser, actor: Actor, found: Scoped | undefined, change: InboxChange): Promise<string | undefined> {
  const refused = await refusal(client, deps, user, found);
  if (refused || !found) return refused;
  return answer(user, await changeInbox(deps, actor, found, change), found.conversation.profileName ?? undefined);
}

/** The root's buttons that change the conversation at once, by action id. */
const BUTTON_CHANGES: ReadonlyArray<[string, InboxChange]> = [
  [INBOX_ACTIONS.claim, { kind: 'claim' }],
  [INBOX_ACTIONS.unassign, { kind: 'unassign' }],
  [INBOX_ACTIONS.resolve, { kind: 'status', status: 'resolved' }],
  [INBOX_ACTIONS.pending, { kind: 'status', status: 'pending' }],
  [INBOX_ACTIONS.reopen, { kind: 'status', status: 'open' }],
];

/** A button on the thread root; its value is the conversation id. */
function rootButton(deps: Deps, change: InboxChange) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx?.value) return;
    const user = await slackUser(client, deps, ctx.userId);
    const told = await act(client, deps, user, ctx, await findTeamConversation(ctx.teamId, ctx.value), change);
    if (told) await tellUser(client, ctx, respond, user, told);
  };
}

/**
 * A root button that opens a modal about its conversation (value: the conversation id) for those who
 * may run it; anyone else is told why, where they clicked.
 */
export function rootModalButton(deps: Deps, modal: (user: SlackUser, found: Scoped, ctx: ActionContext) => Promise<ModalView>) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx?.value) return;
    const user = await slackUser(client, deps, ctx.userId);
    const found = await findTeamConversation(ctx.teamId, ctx.value);
    const refused = await refusal(client, deps, user, found);
    if (refused || !found) return tellUser(client, ctx, respond, user, refused ?? user.t.inbox.gone);
    await client.views.open({ trigger_id: ctx.triggerId, view: await modal(user, found, ctx) });
  };
}

/** "Assign to…" on the root: the people picker. */
const assignButton = (deps: Deps) =>
  rootModalButton(deps, async (user, { conversation }) => assignModal(user.t, { conversationId: String(conversation._id), assignee: conversation.assignee ?? undefined }));

const metadataSchema = z.object({ conversationId: z.string() });

/** "Assign to…" submitted: the picked person handles the conversation, whoever had it. */
function assignSubmitted(deps: Deps) {
  return async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> => {
    await ack();
    const submission = parseSubmission(body);
    const to = submission?.field(ASSIGN_BLOCK);
    const meta = metadata(metadataSchema, submission?.privateMetadata);
    if (!submission || !to || !meta) return;
    const user = await slackUser(client, deps, submission.userId);
    const found = await findTeamConversation(submission.teamId, meta.conversationId);
    const told = await act(client, deps, user, submission, found, { kind: 'assign', to });
    // The modal has closed: a refusal goes to the thread, to them alone.
    const where = found?.conversation;
    if (told && where?.channelId && where.threadTs) {
      await client.chat.postEphemeral({ channel: where.channelId, user: user.id, thread_ts: where.threadTs, text: told });
    }
  };
}

const reactionSchema = z.object({
  team_id: z.string().min(1),
  event: z.object({ user: z.string().min(1), reaction: z.string(), item: z.object({ type: z.literal('message'), channel: z.string(), ts: z.string() }) }),
});

/** 👀 on the thread root claims the conversation, ✅ resolves it; other reactions, and reactions elsewhere, are just reactions. */
function reactionAdded(deps: Deps) {
  return async ({ body, client }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'reaction_added'>): Promise<void> => {
    const parsed = reactionSchema.safeParse(body);
    if (!parsed.success) return;
    const { event, team_id: teamId } = parsed.data;
    const change: InboxChange | undefined =
      event.reaction === INBOX_REACTIONS.claim ? { kind: 'claim' } : event.reaction === INBOX_REACTIONS.resolve ? { kind: 'status', status: 'resolved' } : undefined;
    if (!change) return;
    // Only the root: `findTeamThread` finds a conversation by its root's ts alone; as for the buttons, of a connected account.
    const thread = await findTeamThread(teamId, event.item.channel, event.item.ts);
    if (!thread) return;
    const user = await slackUser(client, deps, event.user);
    const found = thread.account.state === 'connected' ? thread : undefined;
    const told = await act(client, deps, user, { teamId, userId: event.user }, found, change);
    if (told) await client.chat.postEphemeral({ channel: event.item.channel, user: event.user, thread_ts: event.item.ts, text: told });
  };
}

export function registerInbox(app: App, deps: Deps): void {
  for (const [actionId, change] of BUTTON_CHANGES) app.action(actionId, rootButton(deps, change));
  app.action(INBOX_ACTIONS.assign, assignButton(deps));
  app.view(INBOX_VIEWS.assign, assignSubmitted(deps));
  app.event('reaction_added', reactionAdded(deps));
  registerQueues(app, deps);
}
