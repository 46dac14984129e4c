import type { AllMiddlewareArgs, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { listAccountSummaries } from '../../../accounts/service';
import type { Deps } from '../../../context';
import { slackUser, type SlackUser } from '../../user';
import { accountListMessage, accountListModal, noticeModal } from '../../views/accounts';
import { publishHome } from '../home';

/** Where a button was clicked: that is where its answer goes. */
export type Surface = { type: 'home' } | { type: 'modal'; viewId: string } | { type: 'message' };

export interface ActionContext {
  teamId: string;
  userId: string;
  triggerId: string;
  /** The clicked button's value (an account id for the account buttons). */
  value?: string;
  surface: Surface;
}

const actionBodySchema = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  trigger_id: z.string().min(1),
  response_url: z.string().optional(),
  view: z.object({ id: z.string(), type: z.string() }).loose().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

export interface AdminClick {
  ctx: ActionContext & { value: string };
  user: SlackUser;
  client: WebClient;
  respond: RespondFn;
}

/**
 * An account button only admins may use: acknowledges, reads the click, and
 * refuses anyone else with "only admins can …" before `run` sees it.
 */
export function adminButton(
  deps: Deps,
  what: (t: SlackUser['t']) => string,
  run: (click: AdminClick) => Promise<void>,
): (args: AllMiddlewareArgs & SlackActionMiddlewareArgs) => Promise<void> {
  return async ({ ack, body, client, respond }) => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx?.value) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (!user.isAdmin) return tellUser(client, ctx, respond, user, user.t.common.onlyAdmins(what(user.t)));
    await run({ ctx: { ...ctx, value: ctx.value }, user, client, respond });
  };
}

/** Reads what the account buttons need from a block_actions payload; undefined if it is not one. */
export function parseActionBody(body: unknown): ActionContext | undefined {
  const parsed = actionBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const teamId = b.team?.id ?? b.user.team_id;
  if (!teamId) return undefined;
  const surface: Surface =
    b.view?.type === 'home' ? { type: 'home' } : b.view?.type === 'modal' ? { type: 'modal', viewId: b.view.id } : { type: 'message' };
  return { teamId, userId: b.user.id, triggerId: b.trigger_id, value: b.actions[0]?.value, surface };
}

/** Opens a modal from a click; from inside a modal Slack wants it pushed on top. */
export async function openModalFrom(client: WebClient, ctx: ActionContext, view: ModalView): Promise<void> {
  if (ctx.surface.type === 'modal') await client.views.push({ trigger_id: ctx.triggerId, view });
  else await client.views.open({ trigger_id: ctx.triggerId, view });
}

/** Tells the user something where they clicked: ephemerally under a message, else in a small modal. */
export async function tellUser(
  client: WebClient,
  ctx: ActionContext,
  respond: RespondFn | undefined,
  user: SlackUser,
  text: string,
): Promise<void> {
  if (ctx.surface.type === 'message' && respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  await openModalFrom(client, ctx, noticeModal(user.t, user.t.common.notAllowedTitle, text));
}

/** Shows the list where the button was: refreshed with a confirmation such as "Successfully updated!", or another page of it. */
export async function showAccountListIn(
  deps: Deps,
  client: WebClient,
  ctx: ActionContext,
  respond: RespondFn | undefined,
  user: SlackUser,
  shown: { notice?: string; page?: number },
): Promise<void> {
  if (ctx.surface.type === 'home') {
    await publishHome(deps, client, { user, teamId: ctx.teamId, notice: shown.notice, pages: { accounts: shown.page } });
    return;
  }
  const accounts = await listAccountSummaries(deps, ctx.teamId);
  const opts = { isAdmin: user.isAdmin, ...shown };
  if (ctx.surface.type === 'modal') {
    await client.views.update({
      view_id: ctx.surface.viewId,
      view: accountListModal(user.t, accounts, { ...opts, title: user.t.accounts.listHeader }),
    });
  } else if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: true, ...accountListMessage(user.t, accounts, opts) });
  }
}

const submissionBodySchema = z.object({
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string().default(''),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), 
          z.object({
            value: z.string().nullish(),
            selected_option: z.object({ value: z.string() }).nullish(),
            selected_conversation: z.string().nullish(),
            selected_user: z.string().nullish(),
            selected_date: z.string().nullish(),
          }),
        ),
      ),
    }),
  }),
});

export interface Submission {
  teamId: string;
  userId: string;
  viewId: string;
  privateMetadata: string;
  /** The value of the input in `block_id`, whatever its element type. */
  field(blockId: string): string | undefined;
}

/** Reads a view_submission payload; undefined if it is not one. */
export function parseSubmission(body: unknown): Submission | undefined {
  const parsed = submissionBodySchema.safeParse(body);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const teamId = b.team?.id ?? b.user.team_id;
  if (!teamId) return undefined;
  const values = b.view.state.values;
  return {
    teamId,
    userId: b.user.id,
    viewId: b.view.id,
    privateMetadata: b.view.private_metadata,
    field: (blockId) => {
      const inputs = values[blockId];
      const input = inputs ? Object.values(inputs)[0] : undefined;
      return input?.value ?? input?.selected_option?.value ?? input?.selected_conversation ?? input?.selected_user ?? input?.selected_date ?? undefined;
    },
  };
}

export type Settled<T> = { state: 'done'; value: T } | { state: 'failed'; error: unknown } | { state: 'pending' };

/** Waits for the work at most `ms`; the work keeps running either way. */
export async function settleWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Settled<T>>((resolve) => (timer = setTimeout(() => resolve({ state: 'pending' }), Math.max(0, ms))));
  try {
    return await Promise.race([
      work.then(
        (value): Settled<T> => ({ state: 'done', value }),
        (error: unknown): Settled<T> => ({ state: 'failed', error }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
