import type { Deps } from '../context';
import type { Job } from '../jobs';
import { enqueueDigests } from './digest';
import { runSweep, type SweepDeps } from './sweep';

export { runSweep, alertKey, SWEEP_RESOURCE, WINDOW_KINDS, type SweepOptions, type SweepResult, type SweepDeps } from './sweep';
export { windowOutboxHandlers, toRow } from './handlers';
export { enqueueDigests, digestDay } from './digest';
export { accountWindows } from './expiring';

/** The sweep every `EXPIRY_SWEEP_CRON` tick (every minute by default). */
export function windowSweepJob(deps: SweepDeps): Job {
  return { name: 'window-sweep', schedule: deps.config.expiry.sweepCron, run: async () => void (await runSweep(deps)) };
}

/** The daily digest at `DIGEST_CRON` in `TZ`. */
export function windowDigestJob(deps: Pick<Deps, 'config' | 'clock'>): Job {
  return { name: 'window-digest', schedule: deps.config.digestCron, run: async () => void (await enqueueDigests(deps)) };
}

export function windowJobs(deps: SweepDeps): Job[] {
  return [windowSweepJob(deps), windowDigestJob(deps)];
}
