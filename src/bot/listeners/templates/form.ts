import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../../context';
import { renderTemplate } from '../../../domain/templates';
import { findTeamAccount, findTeamDraft } from '../../../accounts/team';
import { checkDraft, createTemplate, deleteTemplateDraft, saveTemplateDraft } from '../../../templates';
import { draftFromForm, formFromDraft, type TemplateFormValues } from '../../../templates/form';
import { accountKind, isRetired } from '../../../accounts/kind';
import { accountProvider } from '../../../accounts/provider';
import { slackUser } from '../../user';
import {
  FORM_BLOCKS,
  failureText,
  formErrors,
  messageView,
  templateFormView,
  templatePreviewView,
} from '../../views/templates';
import {
  actorOf,
  formMetadataSchema,
  metadata,
  previewMetadataSchema,
  stateSelected,
  stateText,
  viewState,
} from './shared';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;
type SubmitArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** "Add HSM Template" in the list: admins get the form, others an explanation. */
export function addAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const account = await findTeamAccount(actorOf(body).teamId, action.value ?? '');
    let view;
    if (!user.isAdmin) view = messageView(t, t.formTitle, t.adminOnly);
    else if (!account) view = messageView(t, t.formTitle, user.t.accounts.notFound);
    // A retired account has no client to ask.
    else if (isRetired(account) || !accountProvider(deps, account).supportsTemplateManagement) view = messageView(t, t.formTitle, t.unsupported[accountKind(account)]);
    else view = templateFormView(t, { accountId: String(account._id) });
    await client.views.push({ trigger_id: body.trigger_id, view });
  };
}

function readForm(view: ViewSubmitAction['view']): TemplateFormValues {
  const state = viewState(view);
  return {
    name: stateText(state, FORM_BLOCKS.name),
    language: stateText(state, FORM_BLOCKS.language),
    category: stateSelected(state, FORM_BLOCKS.category),
    header: stateText(state, FORM_BLOCKS.header),
    headerExample: stateText(state, FORM_BLOCKS.headerExample),
    body: stateText(state, FORM_BLOCKS.body),
    footer: stateText(state, FORM_BLOCKS.footer),
    buttons: stateText(state, FORM_BLOCKS.buttons),
    examples: stateText(state, FORM_BLOCKS.examples),
  };
}

/** Next: every rule checked before any API call; errors on their fields, else the preview. */
export function formSubmission(deps: Deps) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const meta = metadata(formMetadataSchema, view.private_metadata);
    const account = meta && (await findTeamAccount(actorOf(body).teamId, meta.accountId));
    if (!user.isAdmin || !account) {
      await ack({ response_action: 'update', view: messageView(t, t.formTitle, user.isAdmin ? user.t.accounts.notFound : t.adminOnly) });
      return;
    }
    const { draft, issues } = draftFromForm(readForm(view));
    issues.push(...(await checkDraft(account, draft)));
    if (issues.length > 0) {
      await ack({ response_action: 'errors', errors: formErrors(t, issues) });
      return;
    }
    const draftId = await saveTemplateDraft(account._id, user.id, draft, deps.clock.now());
    const rendered = renderTemplate(draft, { body: draft.bodyExamples, header: draft.headerExample });
    await ack({
      response_action: 'update',
      view: templatePreviewView(t, { accountId: String(account._id), draftId, draft, rendered }),
    });
  };
}

/** Back from the preview: the form again, filled in as it was. */
export function backAction(deps: Deps) {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const { t } = await slackUser(client, deps, body.user.id);
    const view = body.view;
    const meta = metadata(previewMetadataSchema, view?.private_metadata);
    if (!view || !meta) return;
    const stored = await findTeamDraft(actorOf(body).teamId, meta.draftId);
    const next = stored
      ? templateFormView(t.templates, { accountId: stored.account.id, values: formFromDraft(stored.draft) })
      : messageView(t.templates, t.templates.formTitle, t.templates.draftExpired);
    await client.views.update({ view_id: view.id, hash: view.hash, view: next });
  };
}

/**
 * Submit: WhatsApp may take longer than Slack waits for an answer, so the
 * modal first says it is working and is updated once WhatsApp has answered.
 */
export function previewSubmission(deps: Deps) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const meta = metadata(previewMetadataSchema, view.private_metadata);
    const actor = actorOf(body);
    const account = meta && (await findTeamAccount(actor.teamId, meta.accountId));
    const stored = meta && (await findTeamDraft(actor.teamId, meta.draftId));
    if (!user.isAdmin || !meta || !account || !stored || stored.account.id !== account.id) {
      const text = !user.isAdmin ? t.adminOnly : !account ? user.t.accounts.notFound : t.draftExpired;
      await ack({ response_action: 'update', view: messageView(t, t.formTitle, text) });
      return;
    }
    await ack({ response_action: 'update', view: messageView(t, t.previewTitle, t.submitting) });

    const outcome = await createTemplate(deps, actor, meta.accountId, stored.draft);
    let next;
    if (outcome.ok) {
      await deleteTemplateDraft(meta.draftId);
      next = messageView(t, t.doneTitle, t.created({ name: outcome.template.name, status: outcome.template.status }));
    } else if ('notFound' in outcome) {
      next = messageView(t, t.formTitle, user.t.accounts.notFound);
    } else if ('issues' in outcome) {
      // Someone else created the same name meanwhile: back to the form, errors on top.
      const values = formFromDraft(stored.draft);
      next = templateFormView(t, { accountId: meta.accountId, values, error: Object.values(formErrors(t, outcome.issues)).join('\n') });
    } else {
      const error = failureText(t, outcome.failure, accountKind(account), t.whatsappRefused);
      next = templateFormView(t, { accountId: meta.accountId, values: formFromDraft(stored.draft), error });
    }
    await client.views.update({ view_id: view.id, view: next });
  };
}
