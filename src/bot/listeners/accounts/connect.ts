import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { validateConnectForm, type ConnectFormValues } from '../../../accounts/form';
import { connectAccount, listAccountSummaries, type Outcome } from '../../../accounts/service';
import type { Deps } from '../../../context';
import { slackUser, type SlackUser } from '../../user';
import { checkingModal, connectModal, connectedModal, fieldErrorsResponse, noticeModal } from '../../views/accounts';
import { publishHome } from '../home';
import { parseSubmission, settleWithin, type Submission } from './context';

const CONNECT_METADATA = JSON.stringify({ form: 'connect' });

/** The channel language starts as the admin's own: whoever connects usually speaks the team's language. */
export function connectForm(user: SlackUser): ReturnType<typeof connectModal> {
  return connectModal(user.t, { privateMetadata: CONNECT_METADATA, values: { locale: user.locale } });
}

/**
 * The values of the connect form as typed, the secrets included: never log or render them.
 * A form without the language (opened before it existed) gets the admin's own.
 */
function connectValues(sub: Submission, user: SlackUser): ConnectFormValues {
  return {
    name: sub.field('name'),
    kind: sub.field('kind'),
    apiUrl: sub.field('api_url'),
    token: sub.field('token'),
    phoneNumberId: sub.field('phone_number_id'),
    wabaId: sub.field('waba_id'),
    appSecret: sub.field('app_secret'),
    channelId: sub.field('channel'),
    locale: sub.field('locale') ?? user.locale,
  };
}

/**
 * "Connect": validate, check the credentials with WhatsApp, save. Answers within
 * Slack's 3 s when it can; otherwise shows "Checking…" and updates the view later.
 */
export function connectSubmission(deps: Deps) {
  return async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs) => {
    const started = Date.now();
    const sub = parseSubmission(body);
    if (!sub) {
      await ack();
      return;
    }
    const user = await slackUser(client, deps, sub.userId);
    const t = user.t;
    if (!user.isAdmin) {
      await ack({ response_action: 'errors', errors: { name: t.common.onlyAdmins(t.accounts.adminWhat.connect) } });
      return;
    }
    const values = connectValues(sub, user);
    const validated = validateConnectForm(values);
    if (!validated.ok) {
      await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, validated.errors) });
      return;
    }

    const actor = { teamId: sub.teamId, userId: sub.userId };
    const work = connectAccount(deps, actor, validated.value);
    const early = await settleWithin(work, deps.config.slack.ackBudgetMs - (Date.now() - started));
    if (early.state === 'done' && !early.value.ok) {
      await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, early.value.errors) });
      return;
    }
    if (early.state === 'done' && early.value.ok) {
      await ack({ response_action: 'update', view: await connectedView(deps, user, sub.teamId, early.value) });
      await refreshHome(deps, client, user, sub.teamId);
      return;
    }
    if (early.state === 'failed') {
      deps.logger.error('connecting a WhatsApp account failed', { err: early.error, teamId: sub.teamId });
      await ack({ response_action: 'errors', errors: { name: t.common.somethingWentWrong } });
      return;
    }

    await ack({ response_action: 'update', view: checkingModal(t, CONNECT_METADATA) });
    let view;
    let connected = false;
    try {
      const outcome = await work;
      connected = outcome.ok;
      view = outcome.ok
        ? await connectedView(deps, user, sub.teamId, outcome)
        : connectModal(t, { privateMetadata: CONNECT_METADATA, values: withoutSecrets(values), errors: outcome.errors });
    } catch (err) {
      deps.logger.error('connecting a WhatsApp account failed', { err, teamId: sub.teamId });
      view = noticeModal(t, t.accounts.connectTitle, t.common.somethingWentWrong);
    }
    await client.views.update({ view_id: sub.viewId, view });
    if (connected) await refreshHome(deps, client, user, sub.teamId);
  };
}

async function connectedView(deps: Deps, user: SlackUser, teamId: string, outcome: Extract<Outcome, { ok: true }>) {
  return connectedModal(user.t, outcome.account, await listAccountSummaries(deps, teamId));
}

function withoutSecrets(values: ConnectFormValues): Omit<ConnectFormValues, 'token' | 'appSecret'> {
  const { token: _token, appSecret: _appSecret, ...rest } = values;
  return rest;
}

/** The Home tab shows the list too; a failure there must not hide the result. */
export async function refreshHome(deps: Deps, client: WebClient, user: SlackUser, teamId: string): Promise<void> {
  try {
    await publishHome(deps, client, { user, teamId });
  } catch (err) {
    deps.logger.warn('could not refresh the App Home', { err, userId: user.id });
  }
}
