/**
 * Drill: agents claim one conversation at the same moment through two service processes on one
 * MongoDB replica set (`npm run test:mongodb`; see `describeMultiInstance`). Exactly one claim wins:
 * one assignee, one audit entry, and every other agent is told who has it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { INBOX_ACTIONS } from '../../src/bot/views/inbox';
import { AuditModel, ConversationModel } from '../../src/store/models';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { uriWithDatabase } from '../../src/store/uri';
import { requireTestDbUri, uniqueDbName } from '../helpers/service';
import { blockActionsBody, postToSlackEvents } from '../helpers/slack';
import { UNPACED } from '../helpers/unpaced';
import { BOT_TOKEN, CHANNEL_ID, SIGNING_SECRET, describeMultiInstance, seedCloudAccount, startChildService, waitFor, type ChildService } from './support';

const AGENTS = Array.from({ length: 8 }, (_, n) => `U0RACE${n}`);

describeMultiInstance('drill: a claim race across two processes', () => {
  let dir: string;
  let slack: FakeSlack;
  const services: ChildService[] = [];
  const key = crypto.randomBytes(32);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-drill-claim-'));
    slack = await startFakeSlack();
    // Where the service answers an agent (the interaction's response_url): recorded like an API call.
    slack.on('response.url', () => ({}));
    const dbName = uniqueDbName();
    await mongoose.connect(requireTestDbUri(), { dbName, retryWrites: false });
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName),
      ENCRYPTION_KEY: key.toString('base64'),
      LOG_LEVEL: 'error',
      ...UNPACED,
    };
    for (const n of [0, 1]) services.push(await startChildService({ ...env, DATA_DIR: path.join(dir, `data${n}`) }));
  });
  afterAll(async () => {
    for (const s of services) await s.kill();
    await mongoose.disconnect();
    await slack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly one of eight agents, clicking Claim on two processes at once, have the conversation', async () => {
    const account = await seedCloudAccount(key, { channelId: CHANNEL_ID });
    const conversation = await ConversationModel.create({ accountId: account._id, waId: '6281211112222', profileName: 'Sari', channelId: CHANNEL_ID, threadTs: '1767500000.000100' });
    const where = {
      container: { type: 'message', message_ts: '1767500000.000100', channel_id: CHANNEL_ID },
      channel: { id: CHANNEL_ID, name: 'drill' },
      response_url: `${slack.apiUrl}response.url`,
    };
    const clicks = AGENTS.map((agent, n) => {
      const body = blockActionsBody(agent, where, { type: 'button', action_id: INBOX_ACTIONS.claim, value: String(conversation._id) });
      return postToSlackEvents(services[n % 2]?.url ?? '', body, { now: new Date(), secret: SIGNING_SECRET });
    });
    for (const res of await Promise.all(clicks)) expect(res.status).toBe(200);

    // Every loser is told; the winner has nothing to be told.
    const told = () => slack.calls.filter((c) => c.method === 'response.url');
    expect(await waitFor(() => told().length === AGENTS.length - 1, 20_000)).toBe(true);
    const assignee = (await ConversationModel.findById(conversation._id).lean())?.assignee;
    expect(AGENTS).toContain(assignee);
    const claims = await AuditModel.find({ action: 'conversation.claim' }).lean();
    expect(claims.map((c) => c.actorId)).toEqual([assignee]);
    for (const call of told()) expect(String(call.args.text)).toContain(`<@${assignee ?? ''}> is already handling`);
  });
});
