/**
 * Drill: a burst of customer messages into one Slack channel. The outbox paces its
 * posts to the channel's limit instead of running into 429s, delivers each once and
 * in order, and a quiet channel's post does not wait behind the busy one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
/** The service's pace: 4 posts a second after a burst of 2. */
const PACE = { perSecond: 4, burst: 2 };

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
      LOG_LEVEL: 'error',
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

  it('posts at the channel pace without a 429, in order, exactly once, and lets another channel through meanwhile', async () => {
    // Slack (the fake) refuses anything faster than a little above our pace. The margin absorbs jitter: the fake
    // times arrivals in this test's process, which a loaded machine (CI runs suites side by side) holds up, and
    // a late post followed by one on time looked like a burst beyond ours. Unpaced posts still exceed it at once.
    slack.limitChannels({ perSecond: PACE.perSecond + 1, burst: PACE.burst + 1, retryAfterSeconds: 1 });
    const busy = await seedCloudAccount(key, { channelId: 'C0BUSY', name: 'Busy' });
    const quiet = await seedCloudAccount(key, { channelId: 'C0QUIET', name: 'Quiet' });
    const at = Math.floor(Date.now() / 1000);

    for (let n = 0; n < BUSY_MESSAGES; n++) {
      const body = cloudTextWebhook([{ wamid: wamid(`busy${n}`), from: '6281600000001', body: `busy [drill:busy:${n}]`, timestamp: at + n }]);
      expect((await postWebhook(service.url, busy.id, body)).status).toBe(200);
    }
    const quietBody = cloudTextWebhook([{ wamid: wamid('quiet'), from: '6281600000002', body: 'hello [drill:quiet:0]', timestamp: at }]);
    expect((await postWebhook(service.url, quiet.id, quietBody)).status).toBe(200);

    const delivered = () => marksOf(slack.posts()).length === BUSY_MESSAGES + 1;
    expect(await waitFor(delivered, 30_000)).toBe(true);

    expect(slack.calls.filter((c) => c.status === 429)).toEqual([]);
    const marks = marksOf(slack.posts());
    expect(marks.filter((m) => m.conversation === 'busy').map((m) => m.n)).toEqual([...Array(BUSY_MESSAGES).keys()]);

    // Thread root + messages in the busy channel: after the burst, one turn per 1/perSecond.
    const busyPosts = slack.posts().filter((c) => c.args.channel === 'C0BUSY');
    expect(busyPosts).toHaveLength(BUSY_MESSAGES + 1);
    const first = busyPosts[0]?.at ?? 0;
    const last = busyPosts[busyPosts.length - 1]?.at ?? 0;
    const paced = ((busyPosts.length - PACE.burst) / PACE.perSecond) * 1000;
    expect(last - first).toBeGreaterThanOrEqual(paced - 100);

    // The quiet channel's thread was not held up behind the busy one's turns.
    const quietPost = slack.posts().find((c) => c.args.channel === 'C0QUIET' && marksOf([c]).length === 1);
    expect(quietPost?.at ?? Infinity).toBeLessThan(last);
  });
});
