import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { findTeamAccount } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { SLA_FIELDS, slaFormValues, validateSlaForm, type SlaFormValues } from '../../../sla/settings';
import { saveSlaSettings } from '../../../sla/service';
import { slackUser } from '../../user';
import { escape, noticeModal } from '../../views/accounts';
import { SLA_ACTIONS, SLA_VIEWS, slaFormErrors, slaSettingsModal } from '../../views/sla';
import { adminButton, openModalFrom, parseSubmission, tellUser } from '../accounts/context';

/**
 * "Business hours & targets": a modal of its own, pushed from an account's Settings (which is near
 * Slack's limits already). Admins only, the account looked up in the request's workspace, audited.
 */

const metadataSchema = z.object({ accountId: z.string().min(1) });

function readMetadata(text: string): string | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.accountId : undefined;
  } catch {
    return undefined;
  }
}

/** The button in Settings: value = account id. */
export function openSlaSettings(deps: Deps) {
  return adminButton(deps, (t) => t.sla.adminWhat, async ({ ctx, user, client, respond }) => {
    const account = await findTeamAccount(ctx.teamId, ctx.value);
    if (!account) return tellUser(client, ctx, respond, user, user.t.accounts.notFound);
    const view = slaSettingsModal(user.t, { accountName: account.name, privateMetadata: JSON.stringify({ accountId: account.id }), values: slaFormValues(account) });
    await openModalFrom(client, ctx, view);
  });
}

/** Save: problems on their fields, in the admin's language; saved, the modal says so (closing it returns to Settings). */
export function slaSettingsSubmission(deps: Deps) {
  return async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs) => {
    const sub = parseSubmission(body);
    if (!sub) return void (await ack());
    const user = await slackUser(client, deps, sub.userId);
    const t = user.t;
    if (!user.isAdmin) return void (await ack({ response_action: 'errors', errors: { [SLA_FIELDS.timeZone]: t.common.onlyAdmins(t.sla.adminWhat) } }));
    const accountId = readMetadata(sub.privateMetadata);
    const account = accountId ? await findTeamAccount(sub.teamId, accountId) : undefined;
    if (!accountId || !account) return void (await ack({ response_action: 'update', view: noticeModal(t, t.sla.modal.title, t.accounts.notFound) }));
    const values: SlaFormValues = Object.fromEntries(Object.entries(SLA_FIELDS).map(([name, blockId]) => [name, sub.field(blockId)]));
    const validated = validateSlaForm(values);
    if (!validated.ok) return void (await ack({ response_action: 'errors', errors: slaFormErrors(t.sla, validated.errors) }));
    const saved = await saveSlaSettings(deps, { teamId: sub.teamId, userId: sub.userId }, accountId, validated.value);
    const text = saved ? t.sla.modal.saved(escape(saved.name)) : t.accounts.notFound;
    await ack({ response_action: 'update', view: noticeModal(t, t.sla.modal.title, text) });
  };
}

export function registerSla(app: App, deps: Deps): void {
  app.action(SLA_ACTIONS.open, openSlaSettings(deps));
  app.view(SLA_VIEWS.settings, slaSettingsSubmission(deps));
}
