/**
 * WhatsApp's 24-hour customer service window: a business may reply freely only
 * until 24h after the customer's last inbound message (by the message's own
 * timestamp). Pure rules, no I/O; times are passed in so tests can pin them.
 */

export const WINDOW_MS = 24 * 60 * 60 * 1000;

const MINUTE_MS = 60 * 1000;

export type WindowStatus = 'open' | 'closing' | 'closed';

export interface WindowState {
  status: WindowStatus;
  /** Time left until the window closes; 0 once closed. */
  msLeft: number;
  /** Thresholds (minutes) whose moment has passed while still open, most urgent (smallest) first. */
  crossedThresholds: number[];
}

export function windowClosesAt(lastInboundAt: Date): Date {
  return new Date(lastInboundAt.getTime() + WINDOW_MS);
}

/** Late or out-of-order inbound messages never move the window backwards. */
export function nextWindowCloseAt(current: Date | undefined, inboundMessageAt: Date): Date {
  const candidate = windowClosesAt(inboundMessageAt);
  if (current === undefined || candidate.getTime() > current.getTime()) return candidate;
  return new Date(current.getTime());
}

export interface WindowMove {
  moved: boolean;
  /** The message came once the window had closed: it opens a new one. */
  reopened: boolean;
}

/** Inbound messages' effects on the window, each in turn, and where it closes after them all. */
export function windowMoves(current: Date | undefined, inboundAts: readonly Date[]): { moves: WindowMove[]; closesAt: Date | undefined } {
  let closesAt = current;
  const moves = inboundAts.map((at) => {
    const next = nextWindowCloseAt(closesAt, at);
    if (closesAt && next.getTime() === closesAt.getTime()) return { moved: false, reopened: false };
    const reopened = closesAt !== undefined && closesAt.getTime() <= at.getTime();
    closesAt = next;
    return { moved: true, reopened };
  });
  return { moves, closesAt };
}

/** Positive, finite, deduplicated, ascending: config may hold repeats or junk. */
function normaliseThresholds(warnMinutes: readonly number[]): number[] {
  const valid = warnMinutes.filter((m) => Number.isFinite(m) && m > 0);
  return [...new Set(valid)].sort((a, b) => a - b);
}

function thresholdMoment(closesAt: Date, minutes: number): number {
  return closesAt.getTime() - minutes * MINUTE_MS;
}

export function canReplyFreely(closesAt: Date | undefined, now: Date): boolean {
  return closesAt !== undefined && now.getTime() < closesAt.getTime();
}

export function windowState(
  closesAt: Date | undefined,
  now: Date,
  warnMinutes: readonly number[],
): WindowState {
  if (closesAt === undefined || !canReplyFreely(closesAt, now)) {
    return { status: 'closed', msLeft: 0, crossedThresholds: [] };
  }
  const thresholds = normaliseThresholds(warnMinutes);
  const msLeft = closesAt.getTime() - now.getTime();
  const crossedThresholds = thresholds.filter((m) => thresholdMoment(closesAt, m) <= now.getTime());
  const largest = thresholds[thresholds.length - 1];
  const status: WindowStatus = largest !== undefined && msLeft <= largest * MINUTE_MS ? 'closing' : 'open';
  return { status, msLeft, crossedThresholds };
}

export interface AlertArgs {
  closesAt: Date;
  now: Date;
  warnMinutes: readonly number[];
  /** Thresholds already posted (or skipped) for the current window; empty for a fresh window. */
  alreadyWarned: readonly number[];
  closedNotified: boolean;
  /** Someone replied after the last inbound message: nobody needs reminding. */
  answeredAfterLastInbound: boolean;
}

export interface DueAlerts {
  /** Thresholds to post now (at most one: the most urgent). */
  warnings: number[];
  /** Thresholds to mark as done without posting (crossed together, e.g. after downtime, or moot after close). */
  skipped: number[];
  notifyClosed: boolean;
}

export function dueAlerts(args: AlertArgs): DueAlerts {
  const none: DueAlerts = { warnings: [], skipped: [], notifyClosed: false };
  if (args.answeredAfterLastInbound) return none;
  const warned = new Set(args.alreadyWarned);
  const pending = normaliseThresholds(args.warnMinutes).filter((m) => !warned.has(m));

  if (!canReplyFreely(args.closesAt, args.now)) {
    // A warning posted after the close would be wrong; the closed notice replaces them.
    return { warnings: [], skipped: pending, notifyClosed: !args.closedNotified };
  }
  const crossed = pending.filter((m) => thresholdMoment(args.closesAt, m) <= args.now.getTime());
  const [mostUrgent, ...rest] = crossed;
  if (mostUrgent === undefined) return none;
  // One message per sweep: several stale warnings at once would only be noise.
  return { warnings: [mostUrgent], skipped: rest, notifyClosed: false };
}

/**
 * The earliest moment at which `dueAlerts` will have something for this
 * conversation, or undefined when nothing is left. It may lie in the past
 * (already due); a sweeper indexes it and picks up everything <= now.
 */
export function nextAlertAt(args: Omit<AlertArgs, 'now'>): Date | undefined {
  if (args.answeredAfterLastInbound || args.closedNotified) return undefined;
  const warned = new Set(args.alreadyWarned);
  const pending = normaliseThresholds(args.warnMinutes).filter((m) => !warned.has(m));
  const largest = pending[pending.length - 1];
  if (largest === undefined) return new Date(args.closesAt.getTime());
  return new Date(thresholdMoment(args.closesAt, largest));
}

/** Whole hours and minutes, rounded to the nearest minute so a slightly late warning still reads "30 minutes". */
export function splitDuration(ms: number): { hours: number; minutes: number } {
  const totalMinutes = Number.isFinite(ms) && ms > 0 ? Math.round(ms / MINUTE_MS) : 0;
  return { hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 };
}
