import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from '@slack/bolt';
import { disconnectTeamAccount, toggleAccount } from '../../../accounts/service';
import type { Deps } from '../../../context';
import { slackUser } from '../../user';
import { escape } from '../../views/accounts';
import { connectForm } from './connect';
import { adminButton, openModalFrom, parseActionBody, showAccountListIn, tellUser } from './context';

/** "Add WhatsApp Account": opens the connect modal, for admins. */
export function addAccount(deps: Deps) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs) => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (!user.isAdmin) return tellUser(client, ctx, respond, user, user.t.common.onlyAdmins(user.t.accounts.adminWhat.connect));
    await openModalFrom(client, ctx, connectForm(user));
  };
}

/** ON/OFF: persists at once and confirms "Successfully updated!" where it was clicked. */
export function toggle(deps: Deps) {
  return adminButton(deps, (t) => t.accounts.adminWhat.change, async ({ ctx, user, client, respond }) => {
    const t = user.t;
    const account = await toggleAccount(deps, { teamId: ctx.teamId, userId: ctx.userId }, ctx.value);
    if (!account) return tellUser(client, ctx, respond, user, t.accounts.notFound);
    const name = escape(account.name);
    const state = account.enabled ? t.accounts.switchedOn(name) : t.accounts.switchedOff(name);
    await showAccountListIn(deps, client, ctx, respond, user, { notice: `${t.common.successfullyUpdated} ${state}` });
  });
}

/** Disconnect (after Slack's confirm dialog): keeps the history, marks the account disconnected. */
export function disconnect(deps: Deps) {
  return adminButton(deps, (t) => t.accounts.adminWhat.disconnect, async ({ ctx, user, client, respond }) => {
    const account = await disconnectTeamAccount(deps, { teamId: ctx.teamId, userId: ctx.userId }, ctx.value);
    if (!account) return tellUser(client, ctx, respond, user, user.t.accounts.notFound);
    await showAccountListIn(deps, client, ctx, respond, user, { notice: user.t.accounts.disconnected(escape(account.name)) });
  });
}

/** A pager button under the list: the same list, another page; anyone may page. */
export function showPage(deps: Deps) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs) => {
    await ack();
    const ctx = parseActionBody(body);
    const page = Number(ctx?.value);
    if (!ctx || !Number.isInteger(page)) return;
    const user = await slackUser(client, deps, ctx.userId);
    await showAccountListIn(deps, client, ctx, respond, user, { page });
  };
}
