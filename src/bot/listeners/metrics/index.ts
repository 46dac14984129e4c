import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import { accountNamed, findTeamAccount, listTeamAccounts, type AccountDocument } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { METRIC_PERIODS, parsePeriod, type MetricPeriod } from '../../../domain/metrics';
import { metricsData } from '../../../metrics';
import { slackUser, type SlackUser } from '../../user';
import { escape } from '../../views/accounts';
import { PAGER_ACTION } from '../../views/limits';
import { METRICS_ACTIONS, METRICS_VIEWS, metricsBlocks, metricsMessage } from '../../views/metrics';
import { parseActionBody, tellUser } from '../accounts/context';
import type { WhatsAppCommandArgs } from '../commands/types';
import { publishHome, type HomeContext } from '../home';
import { metadata } from '../templates/shared';
import { exportSubmission, openExportModal } from './export';

/** Where the Home's metrics section stands: its period and page. */
export interface MetricsPage {
  period: MetricPeriod;
  page: number;
}

async function figuresFor(deps: Deps, user: SlackUser, accounts: readonly AccountDocument[], period: MetricPeriod, page: number, accountId?: string) {
  return metricsData(accounts, { period, now: deps.clock.now(), timeZone: user.timeZone, intl: user.t.conversations.intl, page, ...(accountId ? { accountId } : {}) });
}

/** The App Home section: the team's figures, for admins only (they are the whole team's). */
export async function metricsHomeSection(ctx: HomeContext): Promise<KnownBlock[]> {
  if (!ctx.user.isAdmin) return [];
  const accounts = await listTeamAccounts(ctx.teamId);
  if (accounts.length === 0) return [];
  const at = ctx.pages?.metrics ?? { period: '7d', page: 0 };
  return metricsBlocks(ctx.user.t, await figuresFor(ctx.deps, ctx.user, accounts, at.period, at.page), { exportButton: true });
}

/**
 * `/whatsapp stats [account] [7d|30d]`: privately, for admins. A last word like `14d` is a period
 * we do not have, said so rather than taken for part of an account's name.
 */
export async function showStats({ command, client, respond, deps, words }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  const s = user.t.metrics;
  const say = (text: string) => respond({ response_type: 'ephemeral', text });
  if (!user.isAdmin) return void (await say(user.t.common.onlyAdmins(s.onlyAdminsWhat)));
  const last = words.at(-1);
  // `14d` is a period we lack; a bare number is part of a name (`Toko 2`) unless it is 7 or 30.
  const periodWord = last && (/^\d+d$/i.test(last) || parsePeriod(last)) ? last : undefined;
  const period = periodWord ? parsePeriod(periodWord) : '7d';
  if (!period) return void (await say(s.unknownPeriod(escape(periodWord?.slice(0, 20) ?? ''))));
  const accountName = (periodWord ? words.slice(0, -1) : words).join(' ');
  const accounts = await listTeamAccounts(command.team_id);
  if (accounts.length === 0) return void (await say(s.empty));
  const account = accountName ? accountNamed(accounts, accountName) : undefined;
  if (accountName && !account) return void (await say(s.unknownAccount(escape(accountName.slice(0, 80)))));
  const data = await figuresFor(deps, user, account ? [account] : accounts, period, 0, account ? String(account._id) : undefined);
  await respond({ response_type: 'ephemeral', ...metricsMessage(user.t, data) });
}

const metricsValue = z.object({ period: z.enum(METRIC_PERIODS), page: z.number().int().min(0).max(10_000), accountId: z.string().optional() });

/** The period toggle and the pager, on the Home tab or in the `/whatsapp stats` message; admins only, the account checked against the workspace. */
function metricsButton(deps: Deps) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    const value = metadata(metricsValue, ctx?.value);
    if (!ctx || !value) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (!user.isAdmin) return tellUser(client, ctx, respond, user, user.t.common.onlyAdmins(user.t.metrics.onlyAdminsWhat));
    if (ctx.surface.type === 'home') return publishHome(deps, client, { user, teamId: ctx.teamId, pages: { metrics: { period: value.period, page: value.page } } });
    const account = value.accountId ? await findTeamAccount(ctx.teamId, value.accountId) : undefined;
    if (value.accountId && !account) return;
    const accounts = account ? [account] : await listTeamAccounts(ctx.teamId);
    const data = await figuresFor(deps, user, accounts, value.period, value.page, account ? String(account._id) : undefined);
    await respond({ response_type: 'ephemeral', replace_original: true, ...metricsMessage(user.t, data) });
  };
}

export function registerMetrics(app: App, deps: Deps): void {
  app.action(new RegExp(`^${METRICS_ACTIONS.period.replace('.', '\\.')}\\.(?:${METRIC_PERIODS.join('|')})$`), metricsButton(deps));
  app.action(PAGER_ACTION(METRICS_ACTIONS.page), metricsButton(deps));
  app.action(METRICS_ACTIONS.export, openExportModal(deps));
  app.view(METRICS_VIEWS.export, exportSubmission(deps));
}
