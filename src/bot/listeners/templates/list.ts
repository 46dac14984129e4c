import { accountKind } from '../../../accounts/kind';
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../../../context';
import { findTeamAccount, type AccountDocument } from '../../../accounts/team';
import { refreshTemplates, switchTemplate } from '../../../templates';
import { toWhatsAppFailure } from '../../../templates/failures';
import { slackUser } from '../../user';
import { failureText, messageView } from '../../views/templates';
import { actorOf, buildListView, listMetadataSchema, metadata, type ListStrings } from './shared';

type ButtonArgs = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Opens the list as a new modal, or on top of the modal the button was in. */
export async function openTemplateList(
  client: WebClient,
  deps: Pick<Deps, 'config'>,
  s: ListStrings,
  input: { triggerId: string; account: AccountDocument; onTopOf?: boolean },
): Promise<void> {
  // Without a WABA ID there is nothing to list or manage here: say why at once, not on the first click.
  const notice = input.account.wabaId ? undefined : s.templates.unsupported[accountKind(input.account)];
  const view = await buildListView(s, deps, input.account, 0, notice);
  if (input.onTopOf) await client.views.push({ trigger_id: input.triggerId, view });
  else await client.views.open({ trigger_id: input.triggerId, view });
}

/** "HSM Templates" on an account; value = accountId. */
export function openListAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    const account = await findTeamAccount(actorOf(body).teamId, action.value ?? '');
    const inView = body.view !== undefined;
    if (!account) {
      const view = messageView(t, t.listTitle, user.t.accounts.notFound);
      if (inView) await client.views.push({ trigger_id: body.trigger_id, view });
      else await client.views.open({ trigger_id: body.trigger_id, view });
      return;
    }
    await openTemplateList(client, deps, user.t, { triggerId: body.trigger_id, account, onTopOf: inView });
  };
}

/** Re-renders the list modal the action came from, with a notice on top. */
async function updateList(
  client: WebClient,
  deps: Pick<Deps, 'config'>,
  body: BlockAction,
  s: ListStrings,
  change: (page: number, account: AccountDocument) => Promise<{ page: number; notice?: string }>,
) {
  const view = body.view;
  const meta = metadata(listMetadataSchema, view?.private_metadata);
  if (!view || !meta) return;
  const account = await findTeamAccount(actorOf(body).teamId, meta.accountId);
  if (!account) {
    const t = s.templates;
    await client.views.update({ view_id: view.id, view: messageView(t, t.listTitle, t.templateNotFound) });
    return;
  }
  const next = await change(meta.page, account);
  await client.views.update({ view_id: view.id, view: await buildListView(s, deps, account, next.page, next.notice) });
}

/** Previous / Next page; value = the page to show. */
export function pageAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const { t } = await slackUser(client, deps, body.user.id);
    const page = Number.parseInt(action.value ?? '', 10);
    await updateList(client, deps, body, t, async (current) => ({ page: Number.isNaN(page) ? current : page }));
  };
}

/** Refresh: a sync of this account with WhatsApp, all pages. */
export function refreshAction(deps: Deps) {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const { t } = await slackUser(client, deps, body.user.id);
    await updateList(client, deps, body, t, async (page, account) => {
      try {
        const result = await refreshTemplates(deps, actorOf(body), account.id);
        return { page, notice: result ? t.templates.refreshed(result) : t.templates.templateNotFound };
      } catch (err) {
        const failure = toWhatsAppFailure(err);
        const why = failureText(t.templates, failure, accountKind(account), (p) => `${p.message} (${p.code})`);
        return { page, notice: t.templates.refreshFailed(why) };
      }
    });
  };
}

/** ON/OFF: admins only; value = `<templateId>:on|off`, the state to switch to. */
export function toggleAction(deps: Deps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const user = await slackUser(client, deps, body.user.id);
    const t = user.t.templates;
    await updateList(client, deps, body, user.t, async (page, account) => {
      if (!user.isAdmin) return { page, notice: t.adminOnly };
      const [templateId = '', target] = (action.value ?? '').split(':');
      const switched = await switchTemplate(deps, actorOf(body), { accountId: account.id, templateId }, target === 'on');
      return { page, notice: switched ? t.updated : t.templateNotFound };
    });
  };
}
