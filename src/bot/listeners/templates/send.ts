import { accountKind } from '../../../accounts/kind';
import type {
  AllMiddlewareArgs,
  BlockAction,
  BlockSuggestion,
  ButtonAction,
  ExternalSelectAction,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  StaticSelectAction,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { addressLabel, conversationCustomer, sendAddress } from '../../../domain/customer';
import type { Deps } from '../../../context';
import { bodyVariableCount, headerVariableCount, type TemplateValues } from '../../../domain/templates';
import { findTeamAccount, findTeamConversation, findTeamTemplate, type AccountDocument } from '../../../accounts/team';
import { missingValues, renderPreview, sendableTemplates, sendTemplateMessage, templateButtons, type StoredTemplate } from '../../../templates';
import type { SendRefusal } from '../../../templates/send';
import { slackUser, type SlackUser } from '../../user';
import { SEND_BLOCKS, failureText, messageView, sendTemplateView, templateOptions, type SendableTemplate } from '../../views/templates';
import { actorOf, isChannelMember, metadata, sendMetadataSchema, stateText, viewState, type T, type ViewState } from './shared';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;
type SelectArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<StaticSelectAction | ExternalSelectAction>>;
type OptionsArgs = AllMiddlewareArgs & SlackOptionsMiddlewareArgs<BlockSuggestion['type']>;
type SubmitArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

function sendable(t: StoredTemplate): SendableTemplate {
  return {
    id: String(t._id),
    name: t.name,
    language: t.language,
    header: t.header ?? undefined,
    body: t.body,
    footer: t.footer ?? undefined,
    buttons: templateButtons(t).map((b) => b.text),
  };
}

/** Admins, and members of the account's channel, may send its templates. */
export async function maySend(client: WebClient, deps: Deps, user: SlackUser, account: AccountDocument): Promise<boolean> {
  return user.isAdmin || (await isChannelMember(client, deps, account.channelId, user.id));
}

/** The send modal for one customer, listing only approved templates that are switched on. */
export async function openSendModal(
  client: WebClient,
  t: T,
  input: { triggerId: string; account: AccountDocument; waId: string; onTopOf?: boolean },
): Promise<void> {
  const templates = (await sendableTemplates(input.account._id)).map(sendable);
  const view = sendTemplateView(t, { accountId: String(input.account._id), waId: input.waId, templates });
  if (input.onTopOf) await client.views.push({ trigger_id: input.triggerId, view });
  else await client.views.open({ trigger_id: input.triggerId, view });
}

/** "Send template" in a conversation thread or window alert; value = conversationId. */
export function sendAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const found = await findTeamConversation(actorOf(body).teamId, action.value ?? '');
    const onTopOf = body.view !== undefined;
    const show = (text: string) => {
      const view = messageView(t, t.sendTitle, text);
      return onTopOf ? client.views.push({ trigger_id: body.trigger_id, view }) : client.views.open({ trigger_id: body.trigger_id, view });
    };
    if (!found) {
      await show(t.conversationNotFound);
      return;
    }
    const { account, conversation } = found;
    if (!(await maySend(client, deps, user, account))) {
      await show(t.channelOnly(account.channelId));
      return;
    }
    // The number where we have one, else the BSUID: a customer who hides their number is reached by it.
    const waId = sendAddress(conversationCustomer(conversation)) ?? conversation.waId;
    await openSendModal(client, t, { triggerId: body.trigger_id, account, waId, onTopOf });
  };
}

function readValues(state: ViewState, template: Pick<StoredTemplate, 'header' | 'body'>): TemplateValues {
  const body: string[] = [];
  for (let n = 1; n <= bodyVariableCount(template.body); n++) body.push(stateText(state, SEND_BLOCKS.body(n)));
  return headerVariableCount(template.header ?? undefined) > 0 ? { body, header: stateText(state, SEND_BLOCKS.header) } : { body };
}

/** Why a send was refused, in the sender's language. */
function refusedText(t: SlackUser['t'], refused: SendRefusal): string {
  switch (refused) {
    case 'account_off':
      return t.templates.sendAccountOff;
    case 'not_found':
      return t.accounts.notFound;
    case 'not_sendable':
      return t.templates.sendNotSendable;
    case 'opted_out':
      return t.platform.sendOptedOut;
    case 'retired':
      return t.platform.retiredNoSend;
  }
}

/** Picking a template shows its variables and preview. */
export function pickAction(deps: Deps) {
  return async ({ ack, body, action, client }: SelectArgs): Promise<void> => {
    await ack();
    const view = body.view;
    const meta = metadata(sendMetadataSchema, view?.private_metadata);
    if (!view || !meta) return;
    const { t } = await slackUser(client, deps, body.user.id);
    const teamId = actorOf(body).teamId;
    const account = await findTeamAccount(teamId, meta.accountId);
    if (!account) return;
    const templates = (await sendableTemplates(account._id)).map(sendable);
    const picked = action.selected_option?.value;
    const chosen = picked ? (await findTeamTemplate(teamId, picked, account.id))?.template : undefined;
    const selected = chosen ? sendable(chosen) : undefined;
    const values = chosen ? readValues(viewState(view), chosen) : undefined;
    await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: sendTemplateView(t.templates, {
        accountId: meta.accountId,
        waId: meta.waId,
        templates,
        selected,
        values,
        rendered: chosen && values ? renderPreview(chosen, values) : undefined,
      }),
    });
  };
}

/** The templates matching what the agent types, when an account has more than one select lists. */
export function pickOptions(deps: Deps) {
  return async ({ ack, body }: OptionsArgs): Promise<void> => {
    const meta = metadata(sendMetadataSchema, body.view?.private_metadata);
    const account = meta && (await findTeamAccount(actorOf(body).teamId, meta.accountId));
    const templates = account ? (await sendableTemplates(account._id)).map(sendable) : [];
    await ack({ options: templateOptions(templates, body.value) });
  };
}

/** Send: empty variables are marked on their fields; then WhatsApp is asked while the modal says so. */
export function sendSubmission(deps: Deps) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const meta = metadata(sendMetadataSchema, view.private_metadata);
    const actor = actorOf(body);
    const account = meta && (await findTeamAccount(actor.teamId, meta.accountId));
    if (!meta || !account) {
      await ack({ response_action: 'update', view: messageView(t, t.sendTitle, user.t.accounts.notFound) });
      return;
    }
    const template = meta.templateId ? (await findTeamTemplate(actor.teamId, meta.templateId, account.id))?.template : undefined;
    if (!template) {
      await ack({ response_action: 'errors', errors: { [SEND_BLOCKS.pick]: t.sendChooseFirst } });
      return;
    }
    if (!(await maySend(client, deps, user, account))) {
      await ack({ response_action: 'update', view: messageView(t, t.sendTitle, t.channelOnly(account.channelId)) });
      return;
    }
    const values = readValues(viewState(view), template);
    const missing = missingValues(template, values);
    if (missing.length > 0) {
      const errors = Object.fromEntries(
        missing.map((m) => [m.part === 'header' ? SEND_BLOCKS.header : SEND_BLOCKS.body(m.variable), t.sendValueRequired]),
      );
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack({ response_action: 'update', view: messageView(t, t.sendTitle, t.sending) });

    const outcome = await sendTemplateMessage(deps, actor, { accountId: account.id, templateId: String(template._id), waId: meta.waId, values });
    let next;
    if (outcome.ok) {
      next = messageView(t, t.sentTitle, t.sent(addressLabel(meta.waId)));
    } else {
      const error =
        'failure' in outcome
          ? failureText(t, outcome.failure, accountKind(account), t.sendFailed)
          : 'refused' in outcome
            ? refusedText(user.t, outcome.refused)
            : t.sendValueRequired;
      const templates = (await sendableTemplates(account._id)).map(sendable);
      const stillSendable = templates.find((s) => s.id === String(template._id));
      next = sendTemplateView(t, {
        accountId: meta.accountId,
        waId: meta.waId,
        templates,
        selected: stillSendable,
        values,
        rendered: stillSendable ? renderPreview(template, values) : undefined,
        error,
      });
    }
    await client.views.update({ view_id: view.id, view: next });
  };
}
