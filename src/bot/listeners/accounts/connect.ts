import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ModalView } from '@slack/types';
import { z } from 'zod';
import {
  validateConnectForm,
  validateMoveForm,
  type ApiInput,
  type ConnectFormValues,
  type ConnectInput,
  type FieldErrors,
  type MoveFormValues,
  type Validated,
} from '../../../accounts/form';
import { connectAccount, listAccountSummaries, moveAccount, type Outcome } from '../../../accounts/service';
import type { Actor } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { slackUser, type SlackUser } from '../../user';
import { accountListModal, checkingModal, connectModal, connectedModal, escape, fieldErrorsResponse, noticeModal } from '../../views/accounts';
import { publishHome } from '../home';
import { parseSubmission, settleWithin, type Submission } from './context';

const CONNECT_METADATA = JSON.stringify({ form: 'connect' });

/** The channel language starts as the admin's own: whoever connects usually speaks the team's language. */
export function connectForm(user: SlackUser): ReturnType<typeof connectModal> {
  return connectModal(user.t, { privateMetadata: CONNECT_METADATA, values: { locale: user.locale } });
}

/** A form whose submission checks credentials with WhatsApp: connect, move to another API, and settings (a new token). */
export interface CheckedForm<V, W> {
  /** "only admins can …". */
  what: (t: SlackUser['t']) => string;
  title: (t: SlackUser['t']) => string;
  /** The form's values as typed (secrets included: never log or render them), checked. */
  read: (sub: Submission, user: SlackUser) => { values: W; validated: Validated<V> } | undefined;
  /** Undefined: the account is gone or not the workspace's. */
  run: (actor: Actor, value: V) => Promise<Outcome | undefined>;
  doneView: (user: SlackUser, teamId: string, outcome: Extract<Outcome, { ok: true }>) => Promise<ModalView>;
  /** The form again, the values kept but the secrets, with the errors inside it. */
  againView: (user: SlackUser, sub: Submission, values: W, errors: FieldErrors) => ModalView | Promise<ModalView>;
}

/**
 * Validate, check the credentials with WhatsApp, save. Answers within Slack's 3 s when it can;
 * otherwise shows "Checking…" and updates the view later.
 */
export function checkedSubmission<V, W>(deps: Deps, form: CheckedForm<V, W>) {
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
      await ack({ response_action: 'errors', errors: { [firstField(sub)]: t.common.onlyAdmins(form.what(t)) } });
      return;
    }
    const read = form.read(sub, user);
    if (!read) {
      await ack({ response_action: 'update', view: noticeModal(t, form.title(t), t.accounts.notFound) });
      return;
    }
    const { values, validated } = read;
    if (!validated.ok) {
      await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, validated.errors) });
      return;
    }

    const work = form.run({ teamId: sub.teamId, userId: sub.userId }, validated.value);
    const early = await settleWithin(work, deps.config.slack.ackBudgetMs - (Date.now() - started));
    if (early.state === 'done') {
      const outcome = early.value;
      if (outcome && !outcome.ok) {
        await ack({ response_action: 'errors', errors: fieldErrorsResponse(t, outcome.errors) });
        return;
      }
      await ack({ response_action: 'update', view: outcome ? await form.doneView(user, sub.teamId, outcome) : noticeModal(t, form.title(t), t.accounts.notFound) });
      if (outcome) await refreshHome(deps, client, user, sub.teamId);
      return;
    }
    if (early.state === 'failed') {
      deps.logger.error('checking WhatsApp credentials failed', { err: early.error, teamId: sub.teamId });
      await ack({ response_action: 'errors', errors: { [firstField(sub)]: t.common.somethingWentWrong } });
      return;
    }

    await ack({ response_action: 'update', view: checkingModal(t, sub.privateMetadata) });
    let view;
    let saved = false;
    try {
      const outcome = await work;
      saved = outcome?.ok === true;
      view = !outcome
        ? noticeModal(t, form.title(t), t.accounts.notFound)
        : outcome.ok
          ? await form.doneView(user, sub.teamId, outcome)
          : await form.againView(user, sub, values, outcome.errors);
    } catch (err) {
      deps.logger.error('checking WhatsApp credentials failed', { err, teamId: sub.teamId });
      view = noticeModal(t, form.title(t), t.common.somethingWentWrong);
    }
    await client.views.update({ view_id: sub.viewId, view });
    if (saved) await refreshHome(deps, client, user, sub.teamId);
  };
}

/** Errors that belong to no field go on the first one: the name, or the API kind in the move form. */
function firstField(sub: Submission): string {
  return sub.field('name') === undefined && sub.privateMetadata.includes('accountId') ? 'kind' : 'name';
}

/** The API fields of the connect and move forms, as typed. */
function apiValues(sub: Submission): MoveFormValues {
  return {
    kind: sub.field('kind'),
    apiUrl: sub.field('api_url'),
    apiKeyHeader: sub.field('api_key_header'),
    token: sub.field('token'),
    phoneNumberId: sub.field('phone_number_id'),
    wabaId: sub.field('waba_id'),
    appSecret: sub.field('app_secret'),
  };
}

/** "Connect". A form without the language (opened before it existed) gets the admin's own. */
export function connectSubmission(deps: Deps) {
  return checkedSubmission<ConnectInput, ConnectFormValues>(deps, {
    what: (t) => t.accounts.adminWhat.connect,
    title: (t) => t.accounts.connectTitle,
    read: (sub, user) => {
      const values: ConnectFormValues = { name: sub.field('name'), ...apiValues(sub), channelId: sub.field('channel'), locale: sub.field('locale') ?? user.locale };
      return { values, validated: validateConnectForm(values) };
    },
    run: (actor, value) => connectAccount(deps, actor, value),
    doneView: (user, teamId, outcome) => connectedView(deps, user, teamId, outcome),
    againView: (user, _sub, values, errors) => connectModal(user.t, { privateMetadata: CONNECT_METADATA, values: withoutSecrets(values), errors }),
  });
}

/** The move form carries the account it moves, and its name for the form's intro. */
const moveMetadataSchema = z.object({ accountId: z.string().min(1), name: z.string().max(200) });
type MoveMetadata = z.infer<typeof moveMetadataSchema>;

function moveMetadata(text: string): MoveMetadata | undefined {
  try {
    const parsed = moveMetadataSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The move form of an account: the connect form without what the account keeps. */
export function moveForm(account: { id: string; name: string }, t: SlackUser['t']): ModalView {
  const privateMetadata = JSON.stringify({ accountId: account.id, name: account.name } satisfies MoveMetadata);
  return connectModal(t, { privateMetadata, move: { accountName: account.name } });
}

/** "Move": the account gets another API, keeping its channel, conversations and templates. */
export function moveSubmission(deps: Deps) {
  return checkedSubmission<{ accountId: string; input: ApiInput }, MoveFormValues>(deps, {
    what: (t) => t.platform.adminWhatMove,
    title: (t) => t.platform.moveTitle,
    read: (sub) => {
      const meta = moveMetadata(sub.privateMetadata);
      if (!meta) return undefined;
      const values = apiValues(sub);
      const validated = validateMoveForm(values);
      return { values, validated: validated.ok ? { ok: true, value: { accountId: meta.accountId, input: validated.value } } : validated };
    },
    run: (actor, { accountId, input }) => moveAccount(deps, actor, accountId, input),
    doneView: async (user, teamId, outcome) =>
      accountListModal(user.t, await listAccountSummaries(deps, teamId), {
        isAdmin: true,
        title: user.t.platform.moveTitle,
        lead: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: ${user.t.platform.moved(escape(outcome.account.name))}` } }],
      }),
    againView: (user, sub, values, errors) =>
      connectModal(user.t, {
        privateMetadata: sub.privateMetadata,
        move: { accountName: moveMetadata(sub.privateMetadata)?.name ?? '' },
        values: withoutSecrets(values),
        errors,
      }),
  });
}

async function connectedView(deps: Deps, user: SlackUser, teamId: string, outcome: Extract<Outcome, { ok: true }>) {
  return connectedModal(user.t, outcome.account, await listAccountSummaries(deps, teamId));
}

function withoutSecrets<T extends MoveFormValues>(values: T): Omit<T, 'token' | 'appSecret'> {
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
