import type { types } from '@slack/bolt';
import { EXPORT_MAX_DAYS, formatDuration, METRIC_PERIODS, type DateRangeProblem, type MetricPeriod, type Span } from '../../domain/metrics';
import type { Strings } from '../../i18n';
import type { Figures } from '../../store/metrics';
import { escapeMrkdwn } from './conversations';
import { mention } from './inbox';
import { clamp, pageOf, pagerBlocks, plainText, SLACK_LIMITS, type SlackMessage } from './limits';

type KnownBlock = types.KnownBlock;
type S = Strings['metrics'];

export const METRICS_ACTIONS = {
  /** `metrics.period.7d`, `metrics.period.30d`: the toggle; the value carries the account filter. */
  period: 'metrics.period',
  /** `metrics.page.<n>`: the pager. */
  page: 'metrics.page',
  /** Opens the export modal. */
  export: 'metrics.export',
} as const;

export const METRICS_VIEWS = { export: 'metrics.export.form' } as const;

/** Accounts a page shows, a section each (its agents inside it). */
export const METRICS_PAGE_ACCOUNTS = 4;
/** Agents named under an account; the rest are counted. */
export const METRICS_MAX_AGENTS = 10;
/** The most blocks the section takes: header, intro with the toggle, a page of accounts, the pager. */
export const METRICS_SECTION_MAX_BLOCKS = 2 + METRICS_PAGE_ACCOUNTS + 2;

export interface MetricsAccount {
  id: string;
  name: string;
  total: Figures;
  agents: readonly { agent: string; figures: Figures }[];
}

export interface MetricsData {
  period: MetricPeriod;
  span: Span;
  /** Dates of the span as the reader writes them. */
  from: string;
  to: string;
  accounts: readonly MetricsAccount[];
  page: number;
  partial: boolean;
  /** The account the figures are limited to, when one was named. */
  accountId?: string;
}

/** What the toggle and pager buttons carry: the period, page and account filter, checked against the workspace when clicked. */
export function metricsValue(period: MetricPeriod, page: number, accountId?: string): string {
  return JSON.stringify({ period, page, ...(accountId ? { accountId } : {}) });
}

const mrkdwnSection = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.sectionText) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clamp(text, SLACK_LIMITS.contextText) }] });

const csatText = (f: Figures) => (f.csat.average !== undefined ? `${f.csat.average}/${f.csat.distribution.length}` : '–');

/** An account's figures, in lines of mrkdwn. */
export function figuresLines(s: S, f: Figures): string[] {
  return [
    [s.opened(f.opened), s.resolved(f.resolved), s.reopened(f.reopened)].join('  •  '),
    s.firstResponse(formatDuration(f.firstResponse.medianMs), formatDuration(f.firstResponse.p90Ms)),
    s.resolution(formatDuration(f.resolution.medianMs), formatDuration(f.resolution.p90Ms)),
    [s.slaBreaches(f.slaBreaches), s.windowsUnanswered(f.windowsUnanswered), s.messages(f.messagesIn, f.messagesOut)].join('  •  '),
    f.csat.count > 0 ? `${s.csat(csatText(f), f.csat.count)} (${f.csat.distribution.map((n, i) => `${i + 1}★ ${n}`).join(', ')})` : s.noCsat,
  ];
}

function agentLine(s: S, agent: string, f: Figures): string {
  return [
    s.agentLine(mention(agent), f.resolved, formatDuration(f.firstResponse.medianMs), f.messagesOut),
    f.slaBreaches ? s.agentSla(f.slaBreaches) : '',
    f.windowsUnanswered ? s.agentUnanswered(f.windowsUnanswered) : '',
    f.csat.count ? s.agentCsat(csatText(f)) : '',
  ].join('');
}

/** One account: its name, figures and agents, in one section (within 3,000 characters: names clamped, agents capped). */
export function accountMetricsText(s: S, a: MetricsAccount, title?: string): string {
  const agents = a.agents.slice(0, METRICS_MAX_AGENTS).map((x) => `• ${agentLine(s, x.agent, x.figures)}`);
  const more = a.agents.length > METRICS_MAX_AGENTS ? [s.moreAgents(a.agents.length - METRICS_MAX_AGENTS)] : [];
  return [title ?? `*${escapeMrkdwn(clamp(a.name, 80))}*`, ...figuresLines(s, a.total), ...(agents.length ? [`*${s.agents}*`, ...agents, ...more] : [])].join('\n');
}

/** The figures of the workspace's accounts (or the one named) for a period: on the Home tab, or privately from `/whatsapp stats`. */
export function metricsBlocks(t: Strings, d: MetricsData, opts: { exportButton?: boolean } = {}): KnownBlock[] {
  const s = t.metrics;
  const periodName = s.periods[d.period] ?? d.period;
  const toggle: KnownBlock = {
    type: 'actions',
    block_id: `${METRICS_ACTIONS.period}.toggle`,
    elements: [
      ...METRIC_PERIODS.map((p) => ({
        type: 'button' as const,
        action_id: `${METRICS_ACTIONS.period}.${p}`,
        text: plainText(s.periods[p] ?? p, SLACK_LIMITS.buttonText),
        value: metricsValue(p, 0, d.accountId),
        ...(p === d.period ? { style: 'primary' as const } : {}),
      })),
      ...(opts.exportButton ? [{ type: 'button' as const, action_id: METRICS_ACTIONS.export, text: plainText(s.exportButton, SLACK_LIMITS.buttonText), value: 'export' }] : []),
    ],
  };
  const head: KnownBlock[] = [{ type: 'header', text: plainText(`${s.title}: ${periodName}`, SLACK_LIMITS.headerText) }, toggle];
  if (d.accounts.length === 0) return [...head, context(s.empty)];
  const page = pageOf(
    d.accounts.map((a) => [mrkdwnSection(accountMetricsText(s, a))]),
    METRICS_PAGE_ACCOUNTS,
    d.page,
  );
  const intro = `${s.span(periodName, d.from, d.to)}${d.partial ? `\n:warning: ${s.partial}` : ''}`;
  const pager = pagerBlocks(t.common.pager, METRICS_ACTIONS.page, page, (to) => metricsValue(d.period, to, d.accountId));
  const [first, ...rest] = page.blocks;
  // The intro rides on the first section, so the section stays within its budget.
  const withIntro = first && first.type === 'section' && first.text ? [{ ...first, text: { ...first.text, text: clamp(`_${intro}_\n${first.text.text}`, SLACK_LIMITS.sectionText) } }, ...rest] : page.blocks;
  return [...head, ...withIntro, ...pager];
}

export function metricsMessage(t: Strings, d: MetricsData): SlackMessage {
  const periodName = t.metrics.periods[d.period] ?? d.period;
  return { text: t.metrics.commandText(periodName), blocks: metricsBlocks(t, d) };
}

/** The daily digest's figures for one account, yesterday; undefined when nothing happened. */
export function metricsDigestView(t: Strings, d: { account: MetricsAccount; day: string }): SlackMessage | undefined {
  const f = d.account.total;
  if (f.opened + f.resolved + f.reopened + f.messagesIn + f.messagesOut + f.windowsUnanswered + f.csat.count + f.slaBreaches === 0) return undefined;
  const title = t.metrics.digestTitle(escapeMrkdwn(clamp(d.account.name, 80)), d.day);
  const text = accountMetricsText(t.metrics, d.account, `:bar_chart: ${title}`);
  return { text: clamp(text, SLACK_LIMITS.messageText), blocks: [mrkdwnSection(text)] };
}

export const EXPORT_BLOCKS = { from: 'export_from', to: 'export_to' } as const;

/** The export form: two days, the user's last seven by default. */
export function exportModal(t: Strings, d: { from: string; to: string }): types.ModalView {
  const e = t.metrics.export;
  const day = (blockId: string, label: string, initial: string): KnownBlock => ({
    type: 'input',
    block_id: blockId,
    label: plainText(label, SLACK_LIMITS.inputLabel),
    element: { type: 'datepicker', action_id: 'date', initial_date: initial },
  });
  return {
    type: 'modal',
    callback_id: METRICS_VIEWS.export,
    title: plainText(e.title, SLACK_LIMITS.viewTitle),
    submit: plainText(e.submit, SLACK_LIMITS.viewTitle),
    close: plainText(t.common.cancel, SLACK_LIMITS.viewTitle),
    blocks: [context(e.intro(EXPORT_MAX_DAYS)), day(EXPORT_BLOCKS.from, e.from, d.from), day(EXPORT_BLOCKS.to, e.to, d.to)],
  };
}

/** Where a refused range is said: on the field at fault. */
export function exportErrors(t: Strings, problem: DateRangeProblem): Record<string, string> {
  const e = t.metrics.export;
  switch (problem) {
    case 'missing':
      return { [EXPORT_BLOCKS.from]: e.missing };
    case 'reversed':
      return { [EXPORT_BLOCKS.to]: e.reversed };
    case 'too_long':
      return { [EXPORT_BLOCKS.to]: e.tooLong(EXPORT_MAX_DAYS) };
    case 'future':
      return { [EXPORT_BLOCKS.from]: e.future };
  }
}
