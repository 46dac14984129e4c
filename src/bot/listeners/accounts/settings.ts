import { z } from 'zod';
import { validateSettingsForm, type SettingsFormValues, type SettingsInput } from '../../../accounts/form';
import { listAccountSummaries, saveAccountSettings, summarize } from '../../../accounts/service';
import { findTeamAccount } from '../../../accounts/team';
import type { Deps } from '../../../context';
import type { SlackUser } from '../../user';
import { accountListModal, noticeModal, settingsModal } from '../../views/accounts';
import { isRetired } from '../../../accounts/kind';
import { checkedSubmission, moveForm } from './connect';
import { adminButton, openModalFrom, tellUser } from './context';

const metadataSchema = z.object({ accountId: z.string().min(1) });

function readMetadata(text: string): z.infer<typeof metadataSchema> | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The Settings button: opens the settings modal of the account in its value; a retired account's offers the move. */
export function openSettings(deps: Deps) {
  return adminButton(deps, (t) => t.accounts.adminWhat.change, async ({ ctx, user, client, respond }) => {
    const account = await findTeamAccount(ctx.teamId, ctx.value);
    if (!account) return tellUser(client, ctx, respond, user, user.t.accounts.notFound);
    const view = isRetired(account)
      ? moveForm({ id: account.id, name: account.name }, user.t)
      : settingsModal(user.t, summarize(deps, account), { privateMetadata: JSON.stringify({ accountId: account.id }) });
    await openModalFrom(client, ctx, view);
  });
}

/** "Move to Cloud API or BSP", in the list (retired accounts) and in Settings: opens the move form. */
export function openMove(deps: Deps) {
  return adminButton(deps, (t) => t.platform.adminWhatMove, async ({ ctx, user, client, respond }) => {
    const account = await findTeamAccount(ctx.teamId, ctx.value);
    if (!account) return tellUser(client, ctx, respond, user, user.t.accounts.notFound);
    await openModalFrom(client, ctx, moveForm({ id: account.id, name: account.name }, user.t));
  });
}

/** "Save Changes": like connect, a new token is checked with WhatsApp within Slack's 3 s or after "Checking…". */
export function settingsSubmission(deps: Deps) {
  return checkedSubmission<{ accountId: string; input: SettingsInput }, SettingsFormValues>(deps, {
    what: (t) => t.accounts.adminWhat.change,
    title: (t) => t.accounts.settingsTitle,
    read: (sub) => {
      const metadata = readMetadata(sub.privateMetadata);
      if (!metadata) return undefined;
      const values: SettingsFormValues = {
        name: sub.field('name'),
        enabled: sub.field('enabled'),
        channelId: sub.field('channel'),
        locale: sub.field('locale'),
        token: sub.field('token'),
        appSecret: sub.field('app_secret'),
        csatQuestion: sub.field('csat_question'),
        csatOptions: sub.field('csat_options'),
      };
      const validated = validateSettingsForm(values);
      return { values, validated: validated.ok ? { ok: true, value: { accountId: metadata.accountId, input: validated.value } } : validated };
    },
    run: (actor, { accountId, input }) => saveAccountSettings(deps, actor, accountId, input),
    doneView: (user, teamId) => savedView(deps, user, teamId),
    // The form again with what was typed, the secrets left out; gone meanwhile, it says so.
    againView: async (user, sub, values, errors) => {
      const account = await findTeamAccount(sub.teamId, readMetadata(sub.privateMetadata)?.accountId ?? '');
      if (!account) return notFoundView(user);
      const { name, channelId, locale, csatQuestion, csatOptions } = values;
      const enabled = values.enabled === undefined ? undefined : values.enabled === 'on';
      return settingsModal(user.t, summarize(deps, account), { privateMetadata: sub.privateMetadata, values: { name, enabled, channelId, locale, csatQuestion, csatOptions }, errors });
    },
  });
}

async function savedView(deps: Deps, user: SlackUser, teamId: string) {
  const accounts = await listAccountSummaries(deps, teamId);
  return accountListModal(user.t, accounts, {
    isAdmin: user.isAdmin,
    title: user.t.accounts.savedTitle,
    notice: user.t.common.successfullyUpdated,
  });
}

function notFoundView(user: SlackUser) {
  return noticeModal(user.t, user.t.accounts.settingsTitle, user.t.accounts.notFound);
}
