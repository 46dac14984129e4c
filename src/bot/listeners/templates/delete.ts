import { accountKind } from '../../../accounts/kind';
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Deps } from '../../../context';
import { findTeamTemplate } from '../../../accounts/team';
import { deleteTemplate } from '../../../templates';
import { slackUser } from '../../user';
import { deleteConfirmView, failureText, messageView } from '../../views/templates';
import { actorOf, buildListView, deleteMetadataSchema, listMetadataSchema, metadata } from './shared';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;
type SubmitArgs = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** Delete in the list: a confirmation on top of it (admins only). */
export function deleteAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const found = user.isAdmin ? await findTeamTemplate(actorOf(body).teamId, action.value ?? '') : undefined;
    const template = found?.template;
    let view;
    if (!user.isAdmin) view = messageView(t, t.deleteTitle, t.adminOnly);
    else if (!template || !body.view) view = messageView(t, t.deleteTitle, t.templateNotFound);
    else {
      view = deleteConfirmView(t, {
        template: { id: String(template._id), name: template.name, language: template.language },
        listViewId: body.view.id,
        listPage: metadata(listMetadataSchema, body.view.private_metadata)?.page ?? 0,
      });
    }
    await client.views.push({ trigger_id: body.trigger_id, view });
  };
}

/**
 * Confirmed: the confirmation closes at once (WhatsApp may be slow) and the
 * list underneath then shows the result, or why WhatsApp refused.
 */
export function deleteSubmission(deps: Deps) {
  return async ({ ack, body, view, client }: SubmitArgs): Promise<void> => {
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const meta = metadata(deleteMetadataSchema, view.private_metadata);
    if (!user.isAdmin) {
      await ack({ response_action: 'update', view: messageView(t, t.deleteTitle, t.adminOnly) });
      return;
    }
    await ack();
    const actor = actorOf(body);
    const found = meta && (await findTeamTemplate(actor.teamId, meta.templateId));
    if (!meta || !found) return;
    const { account, template } = found;

    const outcome = await deleteTemplate(deps, actor, meta.templateId);
    const notice = outcome.ok
      ? t.deleted(template.name)
      : 'notFound' in outcome
        ? t.templateNotFound
        : failureText(t, outcome.failure, accountKind(account), (p) => t.deleteRefused({ name: template.name, ...p }));
    const list = await buildListView(user.t, deps, account, meta.listPage, notice);
    await client.views.update({ view_id: meta.listViewId, view: list });
  };
}
