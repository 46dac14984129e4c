import { loadConfig } from '../../src/config';
import { startJobs, type Job, type Jobs } from '../../src/jobs';
import { createLogger } from '../../src/log';
import { TestClock } from '../helpers/service';
import { waitFor } from '../helpers/slack';

const MINUTE = 60_000;

/** A job that counts its runs; `hold` keeps a run going until released. */
function countingJob(schedule: string, opts: { hold?: Promise<void>; fail?: boolean } = {}): Job & { runs: Date[] } {
  const runs: Date[] = [];
  return {
    name: `job ${schedule}`,
    schedule,
    runs,
    async run() {
      runs.push(clock.now());
      await opts.hold;
      if (opts.fail) throw new Error('the job broke');
    },
  };
}

let clock: TestClock;
let started: Jobs[] = [];
const logLines: string[] = [];

function start(jobs: Job[], tz = 'UTC', timer = false): Jobs {
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', TZ: tz });
  const jobsRunning = startJobs(jobs, { config, clock, logger: createLogger('debug', (l) => logLines.push(l)) }, { timer });
  started.push(jobsRunning);
  return jobsRunning;
}

beforeEach(() => {
  clock = new TestClock(new Date('2026-01-05T00:00:30Z'));
  logLines.length = 0;
});
afterEach(async () => {
  await Promise.all(started.map((j) => j.stop()));
  started = [];
});

describe('startJobs (cron on the service clock)', () => {
  it('runs a job at each moment of its schedule and not between', async () => {
    const job = countingJob('*/5 * * * *');
    const jobs = start([job]);
    clock.advance(4 * MINUTE);
    await jobs.tick();
    expect(job.runs).toEqual([]);
    clock.set(new Date('2026-01-05T00:05:00Z'));
    await jobs.tick();
    await jobs.tick();
    expect(job.runs.map((d) => d.toISOString())).toEqual(['2026-01-05T00:05:00.000Z']);
    clock.set(new Date('2026-01-05T00:10:00Z'));
    await jobs.tick();
    expect(job.runs).toHaveLength(2);
  });

  it('runs once after a long pause, not once per missed moment', async () => {
    const job = countingJob('* * * * *');
    const jobs = start([job]);
    clock.advance(3 * 60 * MINUTE);
    await jobs.tick();
    expect(job.runs).toHaveLength(1);
    clock.advance(30 * 24 * 60 * MINUTE);
    await jobs.tick();
    expect(job.runs).toHaveLength(2);
  });

  it('matches the schedule in the configured time zone', async () => {
    const job = countingJob('0 8 * * *');
    const jobs = start([job], 'Asia/Jakarta');
    // 07:59 in Jakarta (UTC+7) is 00:59 UTC.
    clock.set(new Date('2026-01-05T00:59:00Z'));
    await jobs.tick();
    expect(job.runs).toEqual([]);
    clock.set(new Date('2026-01-05T01:00:00Z'));
    await jobs.tick();
    expect(job.runs.map((d) => d.toISOString())).toEqual(['2026-01-05T01:00:00.000Z']);
  });

  it('takes a six-field schedule to the second', async () => {
    const job = countingJob('*/10 * * * * *');
    const jobs = start([job]);
    clock.set(new Date('2026-01-05T00:00:39Z'));
    await jobs.tick();
    expect(job.runs).toEqual([]);
    clock.set(new Date('2026-01-05T00:00:40Z'));
    await jobs.tick();
    expect(job.runs).toHaveLength(1);
  });

  it('skips a moment that comes while the previous run is still going, and stop waits for that run', async () => {
    let release = () => undefined as void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const job = countingJob('* * * * *', { hold });
    const jobs = start([job]);
    clock.advance(MINUTE);
    const first = jobs.tick();
    clock.advance(MINUTE);
    const second = jobs.tick();
    expect(job.runs).toHaveLength(1);
    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await Promise.all([first, second, stopping]);
    expect(job.runs).toHaveLength(1);
  });

  it('logs a failed run and runs again at the next moment', async () => {
    const job = countingJob('* * * * *', { fail: true });
    const jobs = start([job]);
    clock.advance(MINUTE);
    await jobs.tick();
    expect(logLines.filter((l) => l.includes('job failed') && l.includes('* * * * *'))).toHaveLength(1);
    clock.advance(MINUTE);
    await jobs.tick();
    expect(job.runs).toHaveLength(2);
  });

  it('looks at the clock by itself every second once started', async () => {
    const job = countingJob('* * * * *');
    start([job], 'UTC', true);
    clock.advance(MINUTE);
    await waitFor(() => job.runs.length === 1 || undefined, 'the timer to tick');
    expect(job.runs).toHaveLength(1);
  });
});
