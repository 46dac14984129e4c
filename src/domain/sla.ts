import { businessDeadline, type BusinessHours } from './business-hours';

/**
 * Response targets (SLAs): how long the team may take to answer a customer, counted in business
 * time from the customer's first unanswered message. Pure rules, no I/O.
 */

export type SlaTarget = 'first' | 'next';

export interface ResponseTargets {
  /** Minutes to the first reply of a new (or reopened) conversation. */
  firstMinutes: number;
  /** Minutes to each later reply. */
  nextMinutes: number;
  /** Warn this many minutes before a target is breached. */
  warnMinutes: number;
}

export const DEFAULT_TARGETS: ResponseTargets = { firstMinutes: 15, nextMinutes: 60, warnMinutes: 5 };

/** An SLA warning and a window warning due this close together go out as one message. */
export const COMBINE_MS = 5 * 60_000;

const MINUTE_MS = 60_000;

export function targetMinutes(targets: ResponseTargets, target: SlaTarget): number {
  return target === 'first' ? targets.firstMinutes : targets.nextMinutes;
}

export interface SlaMoments {
  /** When the warning is due; undefined when there is none (no time to warn in). */
  warnAt?: Date;
  /** When the target is breached; undefined when business hours never come (within a year). */
  dueAt?: Date;
}

/** The wall-clock moments of a running target, business hours paused. */
export function slaMoments(hours: BusinessHours | undefined, targets: ResponseTargets, since: Date, target: SlaTarget): SlaMoments {
  const minutes = targetMinutes(targets, target);
  const dueAt = businessDeadline(hours, since, minutes * MINUTE_MS);
  const warnMinutes = targets.warnMinutes;
  const warnAt = warnMinutes > 0 && warnMinutes < minutes ? businessDeadline(hours, since, (minutes - warnMinutes) * MINUTE_MS) : undefined;
  return { ...(warnAt ? { warnAt } : {}), ...(dueAt ? { dueAt } : {}) };
}

export interface SlaProgress {
  warned: boolean;
  breached: boolean;
}

export interface SlaDue {
  warn: boolean;
  breach: boolean;
  /** The next moment something will be due; undefined when the clock is done. */
  nextCheckAt?: Date;
}

/**
 * What is due now for a running target. A warning whose moment passed together with the breach
 * (the sweep was down) is dropped: the escalation says more.
 */
export function slaDue(moments: SlaMoments, progress: SlaProgress, now: Date): SlaDue {
  const t = now.getTime();
  const breach = !progress.breached && moments.dueAt !== undefined && moments.dueAt.getTime() <= t;
  const warn = !progress.warned && !breach && !progress.breached && moments.warnAt !== undefined && moments.warnAt.getTime() <= t;
  const warned = progress.warned || warn || breach;
  const breached = progress.breached || breach;
  let nextCheckAt: Date | undefined;
  if (!warned && moments.warnAt) nextCheckAt = moments.warnAt;
  else if (!breached && moments.dueAt) nextCheckAt = moments.dueAt;
  return { warn, breach, ...(nextCheckAt ? { nextCheckAt } : {}) };
}

/** True when two warnings' moments fall within `COMBINE_MS` of each other. */
export function closeEnoughToCombine(a: Date, b: Date): boolean {
  return Math.abs(a.getTime() - b.getTime()) <= COMBINE_MS;
}

/**
 * Which target a new unanswered message starts: `first` when nobody has ever answered, or the
 * conversation was resolved before the customer wrote again (a new request); `next` otherwise.
 */
export function targetFor(c: { lastReplyAt?: Date; reopenedFromResolved: boolean }): SlaTarget {
  return !c.lastReplyAt || c.reopenedFromResolved ? 'first' : 'next';
}

/** A user group mention in Slack's syntax, from an ID (`S0123ABC`) or a pasted mention (`<!subteam^S0123ABC|@leads>`). */
export function userGroupId(text: string): string | undefined {
  const m = /^(?:<!subteam\^)?(S[A-Z0-9]{2,20})(?:\|[^>]*)?>?$/.exec(text.trim());
  return m?.[1];
}
