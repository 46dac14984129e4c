import { createTask } from 'node-cron';
import type { Deps } from '../context';

export interface Job {
  name: string;
  schedule: string;
  run(): Promise<void>;
}

export interface Jobs {
  /**
   * Runs each job whose schedule came due since the last tick, by the service clock, once however
   * many of its moments passed; resolves when every run under way has finished.
   */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** How often the clock is looked at: node-cron's own resolution. */
const TICK_MS = 1_000;
/** Moments looked through after a long pause, at most: a week of minutes. */
const MAX_MOMENTS = 7 * 24 * 60;

/**
 * Starts the cron jobs on the service clock (so tests move time by hand) in the configured time
 * zone, with node-cron's expressions and matcher. A run that is still going when its next moment
 * comes is skipped, not stacked; moments missed while stopped are not made up.
 */
export function startJobs(jobs: Job[], deps: Pick<Deps, 'logger' | 'config' | 'clock'>, options: { timer?: boolean } = {}): Jobs {
  const running = new Set<Promise<void>>();
  let last = deps.clock.now().getTime();
  const scheduled = jobs.map((job) => ({
    job,
    // node-cron 4 exports no matcher of its own: a task it creates stopped (never started, so it
    // keeps no timer) lends us its match() on its expression and time zone.
    matcher: createTask(job.schedule, () => undefined, { timezone: deps.config.timeZone, name: `wadesk:${job.name}` }),
    // Five fields match whole minutes; a sixth (seconds) makes each second a moment.
    stepMs: job.schedule.trim().split(/\s+/).length > 5 ? 1_000 : 60_000,
    busy: false,
  }));

  function cameDue(s: (typeof scheduled)[number], after: number, upTo: number): boolean {
    const from = Math.max(after, upTo - MAX_MOMENTS * s.stepMs);
    for (let at = Math.floor(from / s.stepMs) * s.stepMs + s.stepMs; at <= upTo; at += s.stepMs) if (s.matcher.match(new Date(at))) return true;
    return false;
  }

  function tick(): Promise<void> {
    const now = deps.clock.now().getTime();
    const after = last;
    last = Math.max(last, now);
    for (const s of scheduled) {
      if (s.busy || !cameDue(s, after, now)) continue;
      s.busy = true;
      const run = s.job
        .run()
        .catch((err: unknown) => deps.logger.error('job failed', { job: s.job.name, err }))
        .finally(() => {
          s.busy = false;
          running.delete(run);
        });
      running.add(run);
    }
    return Promise.all(running).then(() => undefined);
  }

  const timer = options.timer === false ? undefined : setInterval(() => void tick(), TICK_MS);
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await Promise.all(running);
      // Out of node-cron's registry, or each start would leave its tasks behind.
      await Promise.all(scheduled.map((s) => s.matcher.destroy()));
    },
  };
}
