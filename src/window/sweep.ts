import { createHash, randomUUID } from 'node:crypto';
import type { Deps } from '../context';
import { dueAlerts, nextAlertAt } from '../domain/window';
import { enqueue, type EnqueueInput } from '../outbox';
import { conversationLane } from '../outbox/lanes';
import type { WindowAlertDocument } from '../store/models';
import {
  alertsDue,
  postingAccountIds,
  recordAlertProgress,
  releaseSweepLease,
  takeSweepLease,
  type AlertProgress,
} from '../store/windows';

/**
 * The 24-hour window sweep. Each alert is an outbox item whose key names the
 * conversation, the window (its closing moment) and the threshold, so it is
 * stored, and posted, once however many sweepers compute it: two instances at
 * the same moment, or one taking over from a sweeper that died mid-run.
 * The WindowAlert documents (one per conversation with an alert pending, carrying what
 * the sweep needs of it) only keep sweeps cheap: a sweep reads and writes those alone and
 * never touches the conversations, so its cost follows what is pending, not what is stored.
 * Whether an alert still stands (same window, not answered, account on) is checked at delivery.
 */

export const SWEEP_RESOURCE = 'window-sweep';
export const WINDOW_KINDS = {
  warning: 'window.warning',
  closed: 'window.closed',
  summary: 'window.summary',
  digest: 'window.digest',
} as const;

const DEFAULT_LEASE_MS = 2 * 60_000;
const DEFAULT_BATCH = 500;
/** Identifies this process's sweeps in the lease. */
const processOwner = randomUUID();

export type SweepDeps = Pick<Deps, 'config' | 'clock' | 'logger'>;

export interface SweepOptions {
  now?: Date;
  owner?: string;
  /** How long the lease keeps other sweepers out if this one dies without releasing it. */
  leaseMs?: number;
  batchSize?: number;
}

export interface SweepResult {
  /** False when another sweeper holds the lease: this one did nothing. */
  swept: boolean;
  due: number;
  warnings: number;
  closed: number;
  summaries: number;
}

export function alertKey(conversationId: string, closesAt: Date, alert: number | 'closed'): string {
  return `window:${conversationId}:${closesAt.getTime()}:${alert}`;
}

interface Plan {
  alert: WindowAlertDocument;
  /** The window the alert document is for. */
  closesAt: Date;
  items: EnqueueInput[];
  warned: boolean;
  closed: boolean;
  progress: AlertProgress;
}

function planFor(a: WindowAlertDocument, now: Date, warnMinutes: readonly number[], posting: boolean): Plan {
  const closesAt = a.closesAt;
  const id = String(a._id);
  const base = {
    closesAt,
    warnMinutes,
    alreadyWarned: a.warnedThresholds,
    closedNotified: a.closedNotified,
    // The document exists only while unanswered (a reply deletes it); delivery checks again.
    answeredAfterLastInbound: false,
  };
  const due = dueAlerts({ ...base, now });
  const items: EnqueueInput[] = [];
  if (posting) {
    for (const threshold of due.warnings) {
      items.push({
        key: alertKey(id, closesAt, threshold),
        lane: conversationLane(id),
        kind: WINDOW_KINDS.warning,
        payload: { conversationId: id, closesAt: closesAt.toISOString(), threshold },
      });
    }
    if (due.notifyClosed) {
      items.push({ key: alertKey(id, closesAt, 'closed'), lane: conversationLane(id), kind: WINDOW_KINDS.closed, payload: { conversationId: id, closesAt: closesAt.toISOString() } });
    }
  }
  // An account switched off posts nothing, but its alerts still count as done so they never pile up.
  const warnedThresholds = [...new Set([...a.warnedThresholds, ...due.warnings, ...due.skipped])].sort((x, y) => y - x);
  const closedNotified = a.closedNotified || due.notifyClosed;
  return {
    alert: a,
    closesAt,
    items,
    warned: posting && due.warnings.length > 0,
    closed: posting && due.notifyClosed,
    progress: { warnedThresholds, closedNotified, nextAlertAt: nextAlertAt({ ...base, alreadyWarned: warnedThresholds, closedNotified }) },
  };
}

/** One summary per channel with several warnings; its key is derived from the warnings, so a retaken sweep yields the same one. */
function summaryItems(plans: readonly Plan[]): EnqueueInput[] {
  const byChannel = new Map<string, Plan[]>();
  for (const p of plans) {
    const channelId = p.alert.channelId;
    if (!p.warned || !channelId) continue;
    byChannel.set(channelId, [...(byChannel.get(channelId) ?? []), p]);
  }
  const items: EnqueueInput[] = [];
  for (const [channelId, group] of byChannel) {
    if (group.length < 2) continue;
    const keys = group.flatMap((p) => p.items.map((i) => i.key)).sort();
    const digest = createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 24);
    items.push({
      key: `window-summary:${channelId}:${digest}`,
      lane: `window-summary:${channelId}`,
      kind: WINDOW_KINDS.summary,
      payload: {
        channelId,
        rows: group.map(({ alert: a, closesAt }) => ({
          conversationId: String(a._id),
          customerName: a.profileName ?? undefined,
          waId: a.waId,
          closesAt: closesAt.toISOString(),
          threadTs: a.threadTs ?? undefined,
        })),
      },
    });
  }
  return items;
}

/**
 * One sweep: takes the lease, handles one bounded batch of what is due (cost
 * grows with that, not with what is stored), enqueues the alerts, then records them.
 * A sweep that fails keeps the lease until it expires: whoever takes over redoes it, exactly once.
 */
export async function runSweep(deps: SweepDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.now ?? deps.clock.now();
  const owner = options.owner ?? processOwner;
  const idle: SweepResult = { swept: false, due: 0, warnings: 0, closed: 0, summaries: 0 };
  if (!(await takeSweepLease(SWEEP_RESOURCE, owner, now, options.leaseMs ?? DEFAULT_LEASE_MS))) return idle;

  const due = await alertsDue(now, options.batchSize ?? DEFAULT_BATCH);
  const accountIds = [...new Set(due.map((a) => String(a.accountId)))];
  const posting = await postingAccountIds(accountIds);
  const plans = due.map((a) => planFor(a, now, deps.config.expiry.warnMinutes, posting.has(String(a.accountId))));
  const summaries = summaryItems(plans);
  // Alerts are stored before the progress is recorded: a crash in between only leaves work a retry will dedupe.
  await enqueue([...plans.flatMap((p) => p.items), ...summaries], now);

  await Promise.all(plans.map((p) => recordAlertProgress(p.alert._id, p.closesAt, p.progress)));
  await releaseSweepLease(SWEEP_RESOURCE, owner);

  const result: SweepResult = {
    swept: true,
    due: due.length,
    warnings: plans.filter((p) => p.warned).length,
    closed: plans.filter((p) => p.closed).length,
    summaries: summaries.length,
  };
  if (result.due > 0) deps.logger.info('window sweep', { ...result });
  return result;
}
