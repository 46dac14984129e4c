/**
 * An account's business hours: a time zone, opening ranges per day of the week (several a day,
 * and ranges running past midnight) and holidays by date. Pure: every instant is passed in.
 *
 * Rules where a team lead might ask:
 * - A range belongs to the day it starts on: "Fri 22:00-02:00" is open from Friday 22:00 to
 *   Saturday 02:00 local time, and a holiday on Saturday does not cut it short.
 * - A holiday closes every range that starts on that date.
 * - No ranges at all means always open: a team that set no hours has its clocks run around the clock.
 * - Local times are the zone's wall clock, DST included: a range starting in a skipped hour opens
 *   when the clock jumps, and a repeated hour is counted once (by the instant, not the wall clock).
 */

export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
const DAY_MS = DAY_MINUTES * MINUTE_MS;
/** How far ahead `nextOpening` looks: a year and a bit covers any holiday list. */
const LOOKAHEAD_DAYS = 400;

/** 0 = Sunday … 6 = Saturday, as `Date#getUTCDay`. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface OpeningRange {
  day: Weekday;
  /** Minutes after local midnight, 0 … 1439. */
  start: number;
  /** Minutes after local midnight, 1 … 1440; at or before `start` it ends on the next day. */
  end: number;
}

export interface BusinessHours {
  timeZone: string;
  ranges: OpeningRange[];
  /** Local dates, YYYY-MM-DD. */
  holidays: string[];
}

export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A real calendar date written YYYY-MM-DD. */
export function isValidDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

/** How long a range lasts, in minutes: past midnight when it ends at or before it starts. */
export function rangeMinutes(r: Pick<OpeningRange, 'start' | 'end'>): number {
  return r.end > r.start ? r.end - r.start : r.end + DAY_MINUTES - r.start;
}

/** Two ranges that share a minute of the week (ranges past midnight and past Saturday wrap round). */
export function overlappingRanges(ranges: readonly OpeningRange[]): [OpeningRange, OpeningRange] | undefined {
  const WEEK = 7 * DAY_MINUTES;
  const spans = ranges.map((r) => {
    const from = r.day * DAY_MINUTES + r.start;
    return { r, from, to: from + rangeMinutes(r) };
  });
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      // Compare b against a shifted by a week either way, so Saturday night meets Sunday morning.
      for (const shift of [-WEEK, 0, WEEK]) {
        if (a.from + shift < b.to && b.from < a.to + shift) return [a.r, b.r];
      }
    }
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (whole seconds; sub-second parts are dropped). */
function offsetAt(at: number, timeZone: string): number {
  const l = localTime(at, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall time names. In a DST gap (a wall time that never happens) it is the
 * instant the clock jumps over it; in a repeated hour, the first of the two.
 */
export function zonedInstant(dayUtc: number, minuteOfDay: number, timeZone: string): number {
  const wall = dayUtc + minuteOfDay * MINUTE_MS;
  const candidates = [wall - offsetAt(wall - DAY_MS / 2, timeZone), wall - offsetAt(wall + DAY_MS / 2, timeZone)].sort((a, b) => a - b);
  for (const c of candidates) if (c + offsetAt(c, timeZone) === wall) return c;
  // A gap: the wall time is skipped. The jump happens between the two readings; the later one is when it reopens.
  const after = candidates[1]!;
  const before = candidates[0]!;
  // Local wall times after the gap map to `wall - offsetAfter`; the first instant at or past the jump is the earlier candidate's counterpart.
  return Math.max(before, Math.min(after, jumpBetween(before, after, timeZone)));
}

/** The first instant (to the minute) in [from, to] whose offset differs from `from`'s. */
function jumpBetween(from: number, to: number, timeZone: string): number {
  const base = offsetAt(from, timeZone);
  let lo = from;
  let hi = to;
  if (offsetAt(hi, timeZone) === base) return hi;
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(mid, timeZone) === base) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The local calendar date of an instant, as the UTC midnight of that date. */
function localDayUtc(at: number, timeZone: string): number {
  const l = localTime(at, timeZone);
  return Date.UTC(l.year, l.month - 1, l.day);
}

function dateKey(dayUtc: number): string {
  return new Date(dayUtc).toISOString().slice(0, 10);
}

/** Open periods as instants [start, end), sorted and merged, of the ranges starting on local days firstDay … lastDay. */
function openPeriods(hours: BusinessHours, firstDay: number, lastDay: number): [number, number][] {
  const holidays = new Set(hours.holidays);
  const periods: [number, number][] = [];
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    if (holidays.has(dateKey(day))) continue;
    const weekday = new Date(day).getUTCDay();
    for (const r of hours.ranges) {
      if (r.day !== weekday) continue;
      const start = zonedInstant(day, r.start, hours.timeZone);
      const endDay = r.end > r.start ? day : day + DAY_MS;
      const end = zonedInstant(endDay, r.end, hours.timeZone);
      if (end > start) periods.push([start, end]);
    }
  }
  periods.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const p of periods) {
    const last = merged[merged.length - 1];
    if (last && p[0] <= last[1]) last[1] = Math.max(last[1], p[1]);
    else merged.push([p[0], p[1]]);
  }
  return merged;
}

function alwaysOpen(hours: BusinessHours | undefined): hours is undefined {
  return !hours || hours.ranges.length === 0;
}

/** Open periods overlapping [from, to]: ranges starting a day before `from` may still run. */
function periodsAround(hours: BusinessHours, from: number, to: number): [number, number][] {
  const firstDay = localDayUtc(from, hours.timeZone) - DAY_MS;
  const lastDay = localDayUtc(to, hours.timeZone) + DAY_MS;
  return openPeriods(hours, firstDay, lastDay).filter(([s, e]) => e > from && s <= to);
}

export function isOpen(hours: BusinessHours | undefined, at: Date): boolean {
  if (alwaysOpen(hours)) return true;
  const t = at.getTime();
  return periodsAround(hours, t, t).some(([s, e]) => s <= t && t < e);
}

/** `at` itself when open, else the moment the team next opens; undefined when it never does (within a year or so). */
export function nextOpening(hours: BusinessHours | undefined, at: Date): Date | undefined {
  if (alwaysOpen(hours)) return new Date(at.getTime());
  const t = at.getTime();
  // A week at a time, so a long holiday season costs a few passes, not one huge one.
  for (let from = t; from < t + LOOKAHEAD_DAYS * DAY_MS; from += 7 * DAY_MS) {
    const found = periodsAround(hours, from, from + 7 * DAY_MS).find(([, e]) => e > t);
    if (found) return new Date(Math.max(found[0], t));
  }
  return undefined;
}

/** When the team next closes after `at` while open; undefined when closed now or always open. */
export function nextClosing(hours: BusinessHours | undefined, at: Date): Date | undefined {
  if (alwaysOpen(hours)) return undefined;
  const t = at.getTime();
  let found: [number, number] | undefined = periodsAround(hours, t, t).find(([s, e]) => s <= t && t < e);
  if (!found) return undefined;
  // Periods touching across days are merged only within one read: follow them on.
  for (;;) {
    const end: number = found[1];
    const next: [number, number] | undefined = periodsAround(hours, end, end).find(([s, e]) => s <= end && end < e);
    if (!next || next[1] <= end) return new Date(end);
    found = next;
  }
}

/** Business time between two instants, in ms: the part of [from, to) that falls in opening hours (0 when to <= from). */
export function businessElapsed(hours: BusinessHours | undefined, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (alwaysOpen(hours)) return b - a;
  let total = 0;
  for (const [s, e] of periodsAround(hours, a, b)) total += Math.max(0, Math.min(e, b) - Math.max(s, a));
  return total;
}

/**
 * The instant at which `ms` of business time will have passed since `from`; undefined when the
 * hours never get there (within a year or so). With 0, the first open instant at or after `from`.
 */
export function businessDeadline(hours: BusinessHours | undefined, from: Date, ms: number): Date | undefined {
  const t = from.getTime();
  if (alwaysOpen(hours)) return new Date(t + Math.max(0, ms));
  let left = Math.max(0, ms);
  for (let at = t; at < t + LOOKAHEAD_DAYS * DAY_MS; at += 7 * DAY_MS) {
    const windowEnd = at + 7 * DAY_MS;
    for (const [s, e] of periodsAround(hours, at, windowEnd)) {
      const start = Math.max(s, at);
      const end = Math.min(e, windowEnd);
      if (end <= start) continue;
      if (left === 0) return new Date(start);
      if (end - start >= left) return new Date(start + left);
      left -= end - start;
    }
  }
  return undefined;
}

/** The local date of an instant in a zone, YYYY-MM-DD. */
export function localDate(at: Date, timeZone: string): string {
  return dateKey(localDayUtc(at.getTime(), timeZone));
}

/** Day names the hours text accepts, English and Indonesian, three letters or in full; index = Weekday. */
const DAY_NAMES: readonly (readonly string[])[] = [
  ['sun', 'sunday', 'min', 'minggu', 'ahad'],
  ['mon', 'monday', 'sen', 'senin'],
  ['tue', 'tuesday', 'sel', 'selasa'],
  ['wed', 'wednesday', 'rab', 'rabu'],
  ['thu', 'thursday', 'kam', 'kamis'],
  ['fri', 'friday', 'jum', 'jumat', "jum'at"],
  ['sat', 'saturday', 'sab', 'sabtu'],
];
const EN_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

function dayOf(name: string): Weekday | undefined {
  const n = name.trim().toLowerCase();
  const i = DAY_NAMES.findIndex((names) => names.includes(n));
  return i < 0 ? undefined : (i as Weekday);
}

function minuteOf(text: string, allow24: boolean): number | undefined {
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (min > 59) return undefined;
  if (h === 24 && min === 0 && allow24) return DAY_MINUTES;
  return h <= 23 ? h * 60 + min : undefined;
}

export type HoursTextProblem =
  | { code: 'bad_line'; line: number }
  | { code: 'bad_day'; line: number }
  | { code: 'bad_time'; line: number }
  | { code: 'empty_range'; line: number }
  | { code: 'overlap'; line: number };

/**
 * Reads the hours as a team writes them, one line per day or days: `Mon-Fri 08:00-17:00`,
 * `Sat 09:00-12:00, 13:00-15:00`, `Sun 22:00-02:00` (past midnight). Days in English or
 * Indonesian (`Sen-Jum 08.00-17.00`). Blank text: no hours, always open.
 */
export function parseHoursText(text: string): { ok: true; ranges: OpeningRange[] } | { ok: false; problem: HoursTextProblem } {
  const ranges: OpeningRange[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (!line) continue;
    const m = /^([^\d]+?)\s+(\d.*)$/.exec(line);
    if (!m) return { ok: false, problem: { code: 'bad_line', line: lineNo } };
    const days: Weekday[] = [];
    for (const part of m[1]!.split(',')) {
      const [a, b, ...rest] = part.split('-');
      const from = a === undefined ? undefined : dayOf(a);
      const to = b === undefined ? from : dayOf(b);
      if (from === undefined || to === undefined || rest.length > 0) return { ok: false, problem: { code: 'bad_day', line: lineNo } };
      for (let d = from; ; d = ((d + 1) % 7) as Weekday) {
        days.push(d);
        if (d === to) break;
      }
    }
    const lineRanges: OpeningRange[] = [];
    for (const span of m[2]!.split(',')) {
      const [a, b, ...rest] = span.split('-');
      const start = a === undefined ? undefined : minuteOf(a, false);
      const end = b === undefined ? undefined : minuteOf(b, true);
      if (start === undefined || end === undefined || rest.length > 0) return { ok: false, problem: { code: 'bad_time', line: lineNo } };
      if (start === end) return { ok: false, problem: { code: 'empty_range', line: lineNo } };
      for (const day of days) lineRanges.push({ day, start, end });
    }
    if (overlappingRanges([...ranges, ...lineRanges])) return { ok: false, problem: { code: 'overlap', line: lineNo } };
    ranges.push(...lineRanges);
  }
  return { ok: true, ranges };
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The ranges as `parseHoursText` reads them: one line per day with ranges, Monday first. */
export function hoursText(ranges: readonly OpeningRange[]): string {
  const lines: string[] = [];
  for (const day of [1, 2, 3, 4, 5, 6, 0] as Weekday[]) {
    const own = ranges.filter((r) => r.day === day).sort((a, b) => a.start - b.start);
    if (own.length > 0) lines.push(`${EN_DAYS[day]} ${own.map((r) => `${hhmm(r.start)}-${hhmm(r.end)}`).join(', ')}`);
  }
  return lines.join('\n');
}
