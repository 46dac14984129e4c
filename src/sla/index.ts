import type { Job } from '../jobs';
import { runSlaSweep, type SlaSweepDeps } from './sweep';

export { runSlaSweep, slaAlertKey, SLA_KINDS, SLA_SWEEP_RESOURCE, type SlaSweepResult } from './sweep';
export { slaOutboxHandlers } from './handlers';
export { awayReplyItems } from './away';
export { awayUntil } from './away-state';

/** The response-target sweep, on the window sweep's schedule (`EXPIRY_SWEEP_CRON`, every minute by default). */
export function slaJobs(deps: SlaSweepDeps): Job[] {
  return [{ name: 'sla-sweep', schedule: deps.config.expiry.sweepCron, run: async () => void (await runSlaSweep(deps)) }];
}
