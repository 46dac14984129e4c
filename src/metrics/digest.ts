import { z } from 'zod';
import type { Deps } from '../context';
import type { Job } from '../jobs';
import { startOfLocalDay, yesterdaySpan, type Span } from '../domain/metrics';
import { strings } from '../i18n';
import { enqueue, parsePayload, type OutboxHandler } from '../outbox';
import { postOnce } from '../outbox/slack';
import { metricsDigestView } from '../bot/views/metrics';
import { findAccount } from '../store/accounts';
import { accountFigures } from '../store/metrics';
import { postingAccounts } from '../store/windows';
import { digestDay } from '../window/digest';
import { formatDay } from '.';

export const METRICS_KINDS = { digest: 'metrics.digest' } as const;

/** Yesterday as YYYY-MM-DD in `timeZone`: the day a digest reports, and its key. */
function yesterdayOf(now: Date, timeZone: string): string {
  return digestDay(yesterdaySpan(now, timeZone).start, timeZone);
}

/** The span of a YYYY-MM-DD day in `timeZone`. */
function daySpan(day: string, timeZone: string): Span {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { start: startOfLocalDay(y, m, d, timeZone), end: startOfLocalDay(y, m, d + 1, timeZone) };
}

/**
 * Yesterday's figures for every posting account, into its channel beside the window digest (at
 * `DIGEST_CRON` in `TZ`). One item per account and day, so several instances post it once; the
 * figures are gathered at delivery, for the day named in the item, however late it goes.
 */
export async function enqueueMetricsDigests(deps: Pick<Deps, 'config' | 'clock'>, now = deps.clock.now()): Promise<number> {
  const accounts = await postingAccounts();
  const day = yesterdayOf(now, deps.config.timeZone);
  await enqueue(
    accounts.map((a) => ({ key: `metrics-digest:${String(a._id)}:${day}`, lane: `metrics-digest:${String(a._id)}`, kind: METRICS_KINDS.digest, payload: { accountId: String(a._id), day } })),
    now,
  );
  return accounts.length;
}

export function metricsDigestJob(deps: Pick<Deps, 'config' | 'clock'>): Job {
  return { name: 'metrics-digest', schedule: deps.config.digestCron, run: async () => void (await enqueueMetricsDigests(deps)) };
}

const digestPayload = z.object({ accountId: z.string(), day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

export function metricsOutboxHandlers(deps: Deps): Record<string, OutboxHandler> {
  return {
    [METRICS_KINDS.digest]: async (raw, delivery) => {
      const p = parsePayload(digestPayload, raw);
      const account = await findAccount(p.accountId);
      if (!account || account.state !== 'connected' || !account.enabled) return;
      const timeZone = deps.config.timeZone;
      const span = daySpan(p.day, timeZone);
      const [figures] = (await accountFigures([account._id], span)).accounts;
      if (!figures) return;
      const t = strings(account.locale);
      const view = metricsDigestView(t, { account: { id: figures.accountId, name: account.name, total: figures.total, agents: figures.agents }, day: formatDay(span.start, t.conversations.intl, timeZone) });
      if (view) await postOnce(deps, { channel: account.channelId, text: view.text, blocks: view.blocks }, delivery);
    },
  };
}
