import cron, { type ScheduledTask } from 'node-cron';
import type { Deps } from '../context';

export interface Job {
  name: string;
  schedule: string;
  run(): Promise<void>;
}

export interface Jobs {
  stop(): Promise<void>;
}

/** Starts the cron jobs; a run that is still going when its next tick comes is skipped, not stacked. */
export function startJobs(jobs: Job[], deps: Pick<Deps, 'logger' | 'config'>): Jobs {
  const running = new Set<Promise<void>>();
  const tasks: ScheduledTask[] = jobs.map((job) => {
    let busy = false;
    return cron.schedule(
      job.schedule,
      () => {
        if (busy) return;
        busy = true;
        const run = job
          .run()
          .catch((err: unknown) => deps.logger.error('job failed', { job: job.name, err }))
          .finally(() => {
            busy = false;
            running.delete(run);
          });
        running.add(run);
      },
      { timezone: deps.config.timeZone },
    );
  });
  return {
    async stop() {
      for (const task of tasks) task.stop();
      await Promise.all(running);
    },
  };
}
