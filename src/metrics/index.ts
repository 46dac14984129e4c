import type { AccountDocument } from '../store/models';
import { periodSpan, type MetricPeriod, type Span } from '../domain/metrics';
import { accountFigures } from '../store/metrics';
import type { MetricsData } from '../bot/views/metrics';

/**
 * The team's figures, ready for a view: the period's span in the reader's time zone, each of these
 * accounts' figures (in the order given), and the span's days as the reader writes them.
 */
export async function metricsData(
  accounts: readonly AccountDocument[],
  opts: { period: MetricPeriod; now: Date; timeZone: string; intl: string; page?: number; accountId?: string },
): Promise<MetricsData> {
  const span = periodSpan(opts.period, opts.now, opts.timeZone);
  const { accounts: figures, partial } = await accountFigures(
    accounts.map((a) => a._id),
    span,
  );
  return {
    period: opts.period,
    span,
    ...spanDates(span, opts.intl, opts.timeZone),
    // In the order asked for, one for each account.
    accounts: figures.map((f, i) => ({ id: f.accountId, name: accounts[i]?.name ?? '', total: f.total, agents: f.agents })),
    page: opts.page ?? 0,
    partial,
    ...(opts.accountId ? { accountId: opts.accountId } : {}),
  };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A calendar day as the reader writes it: "5 Jan 2026". */
export function formatDay(at: Date, intl: string, timeZone: string): string {
  const key = `${intl}|${timeZone}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(intl, { day: 'numeric', month: 'short', year: 'numeric', timeZone })));
  return f.format(at);
}

/** The first and last day of a span ([start, end)), as the reader writes them. */
export function spanDates(span: Span, intl: string, timeZone: string): { from: string; to: string } {
  const last = new Date(Math.max(span.start.getTime(), span.end.getTime() - 1));
  return { from: formatDay(span.start, intl, timeZone), to: formatDay(last, intl, timeZone) };
}
