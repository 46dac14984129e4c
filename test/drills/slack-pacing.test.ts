/**
 * Drill: a burst of customer messages into one Slack channel. The outbox paces its
 * posts to the channel's limit instead of running into 429s, delivers each once and
 * in order, and a quiet channel's post does not wait behind the busy one.
 *
 * Nothing here depends on how fast the machine is. The pacer keeps its turns on the
 * monotonic clock of the service's process; this test cannot read it, but it can
 * bound it by causality, from stamps taken in this process (performance.now(), the
 * same CLOCK_MONOTONIC): a post arrives at the fake after the service took its turn,
 * and a lane's next post takes its turn only after the fake answered the one before.
 * A loaded machine only delays arrivals, which these bounds allow; a post that went
 * before its turn breaks them, however fast or slow the run. Whether the quiet
 * channel waited is read from the pacer's own decisions (the service's debug log).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { uriWithDatabase } from '../../src/store/uri';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';
import {
  BOT_TOKEN,
  cloudTextWebhook,
  marksOf,
  postWebhook,
  seedCloudAccount,
  SIGNING_SECRET,
  startChildService,
  waitFor,
  wamid,
  type ChildService,
} from './support';

const BUSY_MESSAGES = 8;
/** The service's pace: 2 posts a second after a burst of 2. */
const PACE = { perSecond: 2, burst: 2 };
const INTERVAL_MS = 1000 / PACE.perSecond;
/** performance.now() is sub-millisecond and the pacer rounds waits up; this only absorbs stamp granularity, not load. */
const GRANULARITY_MS = 1;

describe('drill: a busy Slack channel', () => {
  let dir: string;
  let slack: FakeSlack;
  let service: ChildService;
  const key = crypto.randomBytes(32);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-pacing-'));
    slack = await startFakeSlack();
    const dbName = uniqueDbName();
    await mongoose.connect(requireTestDbUri(), { dbName, retryWrites: false });
    service = await startChildService({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName),
      ENCRYPTION_KEY: key.toString('base64'),
      DATA_DIR: path.join(dir, 'data'),
      // The pacer's decisions ("outbox item waits its turn") are logged at debug.
      LOG_LEVEL: 'debug',
      SLACK_CHANNEL_POSTS_PER_SECOND: String(PACE.perSecond),
      SLACK_CHANNEL_BURST: String(PACE.burst),
    });
  });
  afterAll(async () => {
    await service?.stop();
    await mongoose.disconnect();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts at the channel pace, in order, exactly once, and lets another channel through meanwhile', async () => {
    const busy = await seedCloudAccount(key, { channelId: 'C0BUSY', name: 'Busy' });
    const quiet = await seedCloudAccount(key, { channelId: 'C0QUIET', name: 'Quiet' });
    const at = Math.floor(Date.now() / 1000);

    // Before the first webhook is sent: the service cannot have taken a turn in the busy channel yet.
    const started = performance.now();
    for (let n = 0; n < BUSY_MESSAGES; n++) {
      const body = cloudTextWebhook([{ wamid: wamid(`busy${n}`), from: '6281600000001', body: `busy [drill:busy:${n}]`, timestamp: at + n }]);
      expect((await postWebhook(service.url, busy.id, body)).status).toBe(200);
    }
    const quietBody = cloudTextWebhook([{ wamid: wamid('quiet'), from: '6281600000002', body: 'hello [drill:quiet:0]', timestamp: at }]);
    expect((await postWebhook(service.url, quiet.id, quietBody)).status).toBe(200);

    const delivered = () => marksOf(slack.posts()).length === BUSY_MESSAGES + 1;
    expect(await waitFor(delivered, 30_000)).toBe(true);

    expect(slack.calls.filter((c) => c.status !== 200)).toEqual([]);
    const marks = marksOf(slack.posts());
    expect(marks.filter((m) => m.conversation === 'busy').map((m) => m.n)).toEqual([...Array(BUSY_MESSAGES).keys()]);

    // Thread root + messages in the busy channel, one lane: post k may go once k turns have been given out
    // (the burst's first, then one per interval). With T0 the first turn and τ_k post k's turn:
    //   τ_k ≥ T0 + (k - burst + 1)·interval, and T0 came after `started`;
    //   τ_k ≥ τ_j + (k - j - burst + 1)·interval, and τ_j came after the fake answered post j - 1.
    // Its arrival comes after τ_k, so both bound what this process stamped, whatever the load.
    const arrivals = slack
      .posts()
      .filter((c) => c.args.channel === 'C0BUSY')
      .map((c) => c.at);
    expect(arrivals).toHaveLength(BUSY_MESSAGES + 1);
    const early: string[] = [];
    arrivals.forEach((arrived, k) => {
      const earliest = started + (k - PACE.burst + 1) * INTERVAL_MS;
      if (arrived < earliest - GRANULARITY_MS) early.push(`post ${k}: ${(arrived - started).toFixed(1)} ms after the first webhook, its turn ≥ ${(earliest - started).toFixed(1)} ms`);
      for (let m = 0; m < k - PACE.burst; m++) {
        const gap = (k - m - PACE.burst) * INTERVAL_MS;
        if (arrived - arrivals[m]! < gap - GRANULARITY_MS) early.push(`post ${k}: ${(arrived - arrivals[m]!).toFixed(1)} ms after post ${m}, its turn ≥ ${gap} ms after that answer`);
      }
    });
    expect(early).toEqual([]);

    // The quiet channel was not held up behind the busy one's turns: the pacer never made its post wait. (How many
    // busy posts it made wait depends on how fast the lane went: a slow machine leaves turns that are already due.)
    const paced = (channel: string) => service.output.filter((line) => line.includes('outbox item waits its turn') && line.includes(`Slack channel ${channel} is paced`));
    expect(service.output.length).toBeLessThan(500); // nothing the service logged was dropped
    expect(paced('C0QUIET')).toEqual([]);
    expect(slack.posts().filter((c) => c.args.channel === 'C0QUIET' && marksOf([c]).length === 1)).toHaveLength(1);
  });
});
