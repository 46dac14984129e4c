import type { AllMiddlewareArgs, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Deps } from '../../../context';
import { dateRange, dayStart, localDate } from '../../../domain/metrics';
import { spanDates } from '../../../metrics';
import { exportConversations } from '../../../metrics/export';
import { listTeamAccounts } from '../../../accounts/team';
import { slackUser, type SlackUser } from '../../user';
import { EXPORT_BLOCKS, exportErrors, exportModal } from '../../views/metrics';
import { parseActionBody, parseSubmission, tellUser } from '../accounts/context';
import type { WhatsAppCommandArgs } from '../commands/types';

/** The form, defaulting to the user's last seven days. */
function formFor(deps: Deps, user: SlackUser) {
  const now = deps.clock.now();
  return exportModal(user.t, { from: localDate(dayStart(now, user.timeZone, 6), user.timeZone), to: localDate(now, user.timeZone) });
}

/** **Export CSV** on the Home's metrics section: admins only. */
export function openExportModal(deps: Deps) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    if (!ctx) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (!user.isAdmin) return tellUser(client, ctx, respond, user, user.t.common.onlyAdmins(user.t.metrics.export.onlyAdminsWhat));
    await client.views.open({ trigger_id: ctx.triggerId, view: formFor(deps, user) });
  };
}

/** `/whatsapp export`: the same form. */
export async function openExportFromCommand({ command, client, respond, deps }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  if (!user.isAdmin) return void (await respond({ response_type: 'ephemeral', text: user.t.common.onlyAdmins(user.t.metrics.export.onlyAdminsWhat) }));
  await client.views.open({ trigger_id: command.trigger_id, view: formFor(deps, user) });
}

/** How Slack shows a user, for the assignee column; their id when Slack cannot say. */
function userNames(client: WebClient, deps: Deps) {
  return async (userId: string) => (await slackUser(client, deps, userId)).name ?? userId;
}

/**
 * The form's submission: the range is checked on its fields (the admin's own days, at most
 * EXPORT_MAX_DAYS), the modal closes, and the file follows in a DM. Audited: it carries customers' data.
 */
export function exportSubmission(deps: Deps) {
  return async ({ ack, body, client }: AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>): Promise<void> => {
    const submission = parseSubmission(body);
    if (!submission) return void (await ack());
    const user = await slackUser(client, deps, submission.userId);
    if (!user.isAdmin) return void (await ack({ response_action: 'errors', errors: { [EXPORT_BLOCKS.from]: user.t.common.onlyAdmins(user.t.metrics.export.onlyAdminsWhat) } }));
    const now = deps.clock.now();
    const from = submission.field(EXPORT_BLOCKS.from);
    const to = submission.field(EXPORT_BLOCKS.to);
    const range = dateRange(from, to, now, user.timeZone);
    if ('problem' in range) return void (await ack({ response_action: 'errors', errors: exportErrors(user.t, range.problem) }));
    const accounts = await listTeamAccounts(submission.teamId);
    if (accounts.length === 0) return void (await ack({ response_action: 'errors', errors: { [EXPORT_BLOCKS.from]: user.t.metrics.empty } }));
    await ack();
    const e = user.t.metrics.export;
    // The DM's channel id comes back with the first post: completeUploadExternal shares into a channel id.
    const started = await client.chat.postMessage({ channel: user.id, text: e.started });
    const channelId = typeof started.channel === 'string' ? started.channel : user.id;
    const days = spanDates(range.span, user.t.conversations.intl, user.timeZone);
    try {
      await exportConversations(
        { slack: deps.slack, logger: deps.logger },
        {
          accounts,
          span: range.span,
          timeZone: user.timeZone,
          t: user.t,
          userName: userNames(client, deps),
          channelId,
          filename: `wadesk-conversations-${from}-${to}.csv`,
          comment: (n) => e.comment(days.from, days.to, n),
        },
        { teamId: submission.teamId, actorId: user.id, from, to, at: now },
      );
    } catch (err) {
      deps.logger.warn('the conversations export failed', { userId: user.id, err });
      await client.chat.postMessage({ channel: user.id, text: e.failed });
    }
  };
}
