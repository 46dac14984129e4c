import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import type { Deps } from '../context';
import { inboxStatus } from '../domain/inbox';
import { slaDue, slaMoments } from '../domain/sla';
import { enqueue, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import { findAccounts } from '../store/accounts';
import { findConversations } from '../store/conversations';
import type { SlaClockDocument } from '../store/models';
import { recordSlaProgress, slaClocksDue, type SlaClockProgress } from '../store/sla';
import { releaseSweepLease, takeSweepLease } from '../store/windows';
import { slaSettingsOf } from './settings';

/**
 * The response-target sweep, beside the window's and built like it: a lease keeps one sweeper at
 * a time, and each warning and escalation is an outbox item whose key names the conversation, the
 * customer message the target counts from, the target and the alert, so however many sweepers
 * compute it (two instances, or one taking over from a sweeper that died) it is stored, and posted,
 * once. Whether it still stands (open, unanswered, account on) is checked again at delivery.
 */

export const SLA_SWEEP_RESOURCE = 'sla-sweep';
export const SLA_KINDS = { warning: 'sla.warning', breach: 'sla.breach' } as const;

const DEFAULT_LEASE_MS = 2 * 60_000;
const DEFAULT_BATCH = 500;
const processOwner = randomUUID();

export type SlaSweepDeps = Pick<Deps, 'config' | 'clock' | 'logger'>;

export interface SlaSweepOptions {
  now?: Date;
  owner?: string;
  leaseMs?: number;
  batchSize?: number;
}

export interface SlaSweepResult {
  swept: boolean;
  due: number;
  warnings: number;
  breaches: number;
}

export function slaAlertKey(conversationId: string, since: Date, target: string, alert: 'warning' | 'breach'): string {
  return `sla:${conversationId}:${since.getTime()}:${target}:${alert}`;
}

/** The payload every SLA item carries: which target of which conversation, counted from when. */
export interface SlaPayload {
  conversationId: string;
  since: string;
  target: 'first' | 'next';
}

function items(id: string, clock: SlaClockDocument, warn: boolean, breach: boolean): EnqueueInput[] {
  const payload: SlaPayload = { conversationId: id, since: clock.since.toISOString(), target: clock.target as SlaPayload['target'] };
  const out: EnqueueInput[] = [];
  if (warn) out.push({ key: slaAlertKey(id, clock.since, clock.target, 'warning'), lane: conversationLane(id), kind: SLA_KINDS.warning, payload: { ...payload } });
  if (breach) out.push({ key: slaAlertKey(id, clock.since, clock.target, 'breach'), lane: conversationLane(id), kind: SLA_KINDS.breach, payload: { ...payload } });
  return out;
}

/**
 * One sweep: takes the lease, handles one bounded batch of due clocks, enqueues their alerts, then
 * records progress. A clock whose conversation was answered, resolved or set pending goes without a word.
 */
export async function runSlaSweep(deps: SlaSweepDeps, options: SlaSweepOptions = {}): Promise<SlaSweepResult> {
  const now = options.now ?? deps.clock.now();
  const owner = options.owner ?? processOwner;
  const idle: SlaSweepResult = { swept: false, due: 0, warnings: 0, breaches: 0 };
  if (!(await takeSweepLease(SLA_SWEEP_RESOURCE, owner, now, options.leaseMs ?? DEFAULT_LEASE_MS))) return idle;

  const due = await slaClocksDue(now, options.batchSize ?? DEFAULT_BATCH);
  const conversations = new Map(
    (await findConversations(due.map((c) => c._id), { status: 1, lastReplyAt: 1, accountId: 1 })).map((c) => [String(c._id), c]),
  );
  const accounts = new Map((await findAccounts(due.map((c) => c.accountId))).map((a) => [String(a._id), a]));

  const queued: EnqueueInput[] = [];
  const progress: SlaClockProgress[] = [];
  let warnings = 0;
  let breaches = 0;
  for (const clock of due) {
    const id = String(clock._id);
    const done = (): void => void progress.push({ id: clock._id as Types.ObjectId, since: clock.since, warned: true, breached: true, nextCheckAt: undefined });
    const conversation = conversations.get(id);
    const account = accounts.get(String(clock.accountId));
    const lastReplyAt = conversation?.lastReplyAt ?? undefined;
    if (!conversation || !account || inboxStatus(conversation.status) !== 'open' || (lastReplyAt && lastReplyAt.getTime() >= clock.since.getTime())) {
      done();
      continue;
    }
    const settings = slaSettingsOf(account);
    const moments = slaMoments(settings.hours, settings.targets, clock.since, clock.target as SlaPayload['target']);
    const result = slaDue(moments, { warned: clock.warned ?? false, breached: clock.breached ?? false }, now);
    // An account switched off posts nothing, but its clocks still run out so they never pile up.
    const posting = account.state === 'connected' && account.enabled;
    if (posting) {
      queued.push(...items(id, clock, result.warn, result.breach));
      if (result.warn) warnings++;
      if (result.breach) breaches++;
    }
    progress.push({
      id: clock._id as Types.ObjectId,
      since: clock.since,
      warned: (clock.warned ?? false) || result.warn || result.breach,
      breached: (clock.breached ?? false) || result.breach,
      nextCheckAt: result.nextCheckAt,
    });
  }
  // Alerts are stored before the progress: a crash in between leaves work a retry dedupes by key.
  await enqueue(queued, now);
  await recordSlaProgress(progress);
  await releaseSweepLease(SLA_SWEEP_RESOURCE, owner);
  const out: SlaSweepResult = { swept: true, due: due.length, warnings, breaches };
  if (out.due > 0) deps.logger.info('sla sweep', { ...out });
  return out;
}
