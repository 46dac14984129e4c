/**
 * What the team achieved, as numbers: the periods they are counted over (calendar days in a time
 * zone) and the summaries of durations (median, 90th percentile). Pure: Intl only.
 */

export const METRIC_PERIODS = ['7d', '30d'] as const;
/** The periods the Home and `/whatsapp stats` show: the last 7 or 30 days, today included. */
export type MetricPeriod = (typeof METRIC_PERIODS)[number];

/** A half-open span of time, [start, end). */
export interface Span {
  start: Date;
  end: Date;
}

export const DAY_MS = 86_400_000;

/** `7d`, `30d` (any case; `7`, `30` too), else undefined. */
export function parsePeriod(word: string | undefined): MetricPeriod | undefined {
  const w = word?.trim().toLowerCase();
  if (w === '7d' || w === '7') return '7d';
  if (w === '30d' || w === '30') return '30d';
  return undefined;
}

export function periodDays(period: MetricPeriod): number {
  return period === '7d' ? 7 : 30;
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date and time of day at `at` in `timeZone`, as numbers. */
function localParts(at: Date, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  let f = partsFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partsFormats.set(timeZone, f);
  }
  const n = (type: string) => Number(f.formatToParts(at).find((p) => p.type === type)?.value ?? 0);
  return { y: n('year'), m: n('month'), d: n('day'), h: n('hour') % 24, min: n('minute'), s: n('second') };
}

/** How far `timeZone` is ahead of UTC at `at`, in ms. */
function offsetAt(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a calendar day (year, month 1-12, day; out-of-range days roll over) begins in `timeZone`. */
export function startOfLocalDay(y: number, m: number, d: number, timeZone: string): Date {
  const wall = Date.UTC(y, m - 1, d);
  // Two passes settle the offset even when the day begins next to a change of it.
  let at = wall - offsetAt(new Date(wall), timeZone);
  at = wall - offsetAt(new Date(at), timeZone);
  return new Date(at);
}

/** The calendar day `at` falls on in `timeZone`, as YYYY-MM-DD. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** The midnight that begins the day `daysBack` days before `now`'s day, in `timeZone`. */
export function dayStart(now: Date, timeZone: string, daysBack = 0): Date {
  const p = localParts(now, timeZone);
  return startOfLocalDay(p.y, p.m, p.d - daysBack, timeZone);
}

/** The last 7 or 30 days: from the midnight 6 (29) days before today, in `timeZone`, up to `now`. */
export function periodSpan(period: MetricPeriod, now: Date, timeZone: string): Span {
  return { start: dayStart(now, timeZone, periodDays(period) - 1), end: now };
}

/** Yesterday, midnight to midnight, in `timeZone`: the daily digest's day. */
export function yesterdaySpan(now: Date, timeZone: string): Span {
  return { start: dayStart(now, timeZone, 1), end: dayStart(now, timeZone, 0) };
}

export const EXPORT_MAX_DAYS = 92;

export type DateRangeProblem = 'missing' | 'reversed' | 'too_long' | 'future';

/**
 * The span an export covers: `from` to `to`, both YYYY-MM-DD, whole days inclusive in `timeZone`;
 * at most EXPORT_MAX_DAYS days and not starting in the future.
 */
export function dateRange(from: string | undefined, to: string | undefined, now: Date, timeZone: string): { span: Span; days: number } | { problem: DateRangeProblem } {
  const parse = (s: string | undefined) => {
    const m = s ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) : null;
    return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : undefined;
  };
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return { problem: 'missing' };
  const days = Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / DAY_MS) + 1;
  if (days < 1) return { problem: 'reversed' };
  if (days > EXPORT_MAX_DAYS) return { problem: 'too_long' };
  const start = startOfLocalDay(a.y, a.m, a.d, timeZone);
  if (start.getTime() > now.getTime()) return { problem: 'future' };
  return { span: { start, end: startOfLocalDay(b.y, b.m, b.d + 1, timeZone) }, days };
}

/**
 * The value at quantile `q` (0..1) of `values`, by the nearest-rank method: always one of the values,
 * so a median of durations is a duration someone actually waited. Undefined for none.
 */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface DurationSummary {
  count: number;
  medianMs?: number;
  p90Ms?: number;
}

export function summarizeDurations(values: readonly number[]): DurationSummary {
  return { count: values.length, medianMs: quantile(values, 0.5), p90Ms: quantile(values, 0.9) };
}

/** A duration as people say it: "45s", "12m", "3h 05m", "2d 4h". */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** CSAT answers: the score each was given (1 worst … `scale` best). */
export interface CsatSummary {
  count: number;
  average?: number;
  /** How many gave each score, index 0 for score 1. */
  distribution: number[];
}

export function summarizeCsat(scores: readonly number[], scale: number): CsatSummary {
  const distribution = Array.from({ length: scale }, () => 0);
  let sum = 0;
  let count = 0;
  for (const s of scores) {
    if (!Number.isInteger(s) || s < 1 || s > scale) continue;
    distribution[s - 1] = (distribution[s - 1] ?? 0) + 1;
    sum += s;
    count += 1;
  }
  return { count, distribution, ...(count > 0 ? { average: Math.round((sum / count) * 100) / 100 } : {}) };
}

/**
 * A conversation's rounds: one starts with the customer's first message (or their first after it
 * was resolved), and ends when it is resolved. These decide what a round records.
 */
export interface RoundState {
  /** When the round began; unset until the customer has written. */
  openedAt?: Date | null;
  firstResponseAt?: Date | null;
}

/** How long the customer waited for the round's first reply, if a reply at `at` is that one. */
export function firstResponseMs(round: RoundState, at: Date): number | undefined {
  if (!round.openedAt || round.firstResponseAt) return undefined;
  const ms = at.getTime() - round.openedAt.getTime();
  return ms >= 0 ? ms : undefined;
}

/** How long the round took to resolve, counted from when it began (or the conversation's creation, for one from before rounds). */
export function resolutionMs(round: RoundState & { createdAt?: Date | null }, at: Date): number | undefined {
  const start = round.openedAt ?? round.createdAt;
  if (!start) return undefined;
  const ms = at.getTime() - start.getTime();
  return ms >= 0 ? ms : undefined;
}
