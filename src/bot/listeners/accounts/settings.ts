import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { validateSettingsForm, type SettingsFormValues } from '../../../accounts/form';
import { listAccountSummaries, saveAccountSettings, summarize } from '../../../accounts/service';
import { findTeamAccount } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { slackUser, type SlackUser } from '../../user';
import { accountListModal, checkingModal, fieldErrorsResponse, noticeModal, settingsModal } from '../../views/accounts';
import { isRetired } from '../../../accounts/kind';
import { moveForm, refreshHome } from './connect';
import { adminButton, openModalFrom, parseSubmission, settleWithin, tellUser } from './context';

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
  return async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs) => {
    const started = Date.now();
    const sub = parseSubmission(body);
    const metadata = sub && readMetadata(sub.privateMetadata);
    if (!sub || !metadata) {
      await ack();
      return;
    }
    const user = await slackUser(client, deps, sub.userId);
    const t = user.t;
    if (!user.isAdmin) {
      await ack({ response_action: 'errors', errors: { name: t.common.onlyAdmins(t.accounts.adminWhat.change) } });
      return;
    }
    const values: SettingsFormValues = {
      name: sub.field('name'),
      enabled: sub.field('enabled'),
      channelId: sub.field('channel'),
      locale: sub.field('locale'),
      token: sub.field('token'),
      appSecret: sub.field('app_secret'),
    };
    const validated = validateSettingsForm(values);
    if (!validated.ok) {
      await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, validated.errors) });
      return;
    }

    const actor = { teamId: sub.teamId, userId: sub.userId };
    const work = saveAccountSettings(deps, actor, metadata.accountId, validated.value);
    const early = await settleWithin(work, deps.config.slack.ackBudgetMs - (Date.now() - started));
    if (early.state === 'done') {
      const outcome = early.value;
      if (outcome && !outcome.ok) {
        await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, outcome.errors) });
        return;
      }
      await ack({ response_action: 'update', view: outcome ? await savedView(deps, user, sub.teamId) : notFoundView(user) });
      if (outcome) await refreshHome(deps, client, user, sub.teamId);
      return;
    }
    if (early.state === 'failed') {
      deps.logger.error('saving account settings failed', { err: early.error, teamId: sub.teamId });
      await ack({ response_action: 'errors', errors: { name: t.common.somethingWentWrong } });
      return;
    }

    await ack({ response_action: 'update', view: checkingModal(t, sub.privateMetadata) });
    let view;
    let saved = false;
    try {
      const outcome = await work;
      saved = outcome?.ok === true;
      if (!outcome) view = notFoundView(user);
      else if (outcome.ok) view = await savedView(deps, user, sub.teamId);
      else {
        const account = await findTeamAccount(sub.teamId, metadata.accountId);
        view = account
          ? settingsModal(t, summarize(deps, account), {
              privateMetadata: sub.privateMetadata,
              values: {
                name: validated.value.name,
                enabled: validated.value.enabled,
                channelId: validated.value.channelId,
                locale: validated.value.locale,
              },
              errors: outcome.errors,
            })
          : notFoundView(user);
      }
    } catch (err) {
      deps.logger.error('saving account settings failed', { err, teamId: sub.teamId });
      view = noticeModal(t, t.accounts.settingsTitle, t.common.somethingWentWrong);
    }
    await client.views.update({ view_id: sub.viewId, view });
    if (saved) await refreshHome(deps, client, user, sub.teamId);
  };
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
