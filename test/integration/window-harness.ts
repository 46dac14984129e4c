import { slackApi } from '../fakes/strict-slack';
import crypto from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { configureWriteGuards } from '../../src/store/database';
import mongoose, { type Types } from 'mongoose';
import nock from 'nock';
import { z } from 'zod';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/log';
import { OutboxWorker } from '../../src/outbox';
import { recordInbound } from '../helpers/inbound';
import { AccountModel, ConversationModel, LeaseModel, DeliveredModel, OutboxModel, WindowAlertModel, type ConversationDocument, type WindowAlertDocument } from '../../src/store/models';
import { windowOutboxHandlers } from '../../src/window';
import { ChannelPacer } from '../../src/outbox/pacing';
import { BOT_TOKEN, SLACK_API, TestClock, requireTestDbUri, uniqueDbName } from '../helpers/service';
import { UNPACED } from '../helpers/unpaced';
import { issuedToken } from '../fakes/whatsapp-contract';

/** Shared set-up of the window suites: a real database, Slack behind nock, a clock moved by hand. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const logger = createLogger('error', () => undefined);

export function windowConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: 'x',
    SLACK_API_URL: `${SLACK_API}/api/`,
    EXPIRY_WARN_MINUTES: '120,30',
    TZ: 'UTC',
    ...UNPACED,
    ...env,
  });
}

export interface SlackPost {
  channel: string;
  text: string;
  thread_ts?: string;
  blocks: unknown[];
}

const postShape = z.object({ channel: z.string(), text: z.string(), thread_ts: z.string().optional(), blocks: z.string().optional() });

/** Records every chat.postMessage; WebClient sends them form-encoded with blocks as JSON. */
export function recordSlackPosts(): SlackPost[] {
  const posts: SlackPost[] = [];
  slackApi()
    .persist()
    .post('/api/chat.postMessage')
    .reply(200, (_uri, body) => {
      const fields = typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body;
      const p = postShape.parse(fields);
      posts.push({ ...p, blocks: p.blocks ? z.array(z.unknown()).parse(JSON.parse(p.blocks)) : [] });
      return { ok: true, channel: p.channel, ts: `${Date.now()}.000100` };
    });
  return posts;
}

export async function connectWindowDb(): Promise<void> {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
  await mongoose.connect(requireTestDbUri(), { dbName: uniqueDbName() });
  await Promise.all([ConversationModel.createIndexes(), OutboxModel.createIndexes(), DeliveredModel.createIndexes(), LeaseModel.createIndexes(), AccountModel.createIndexes(), WindowAlertModel.createIndexes()]);
  await configureWriteGuards();
}

export async function clearWindowDb(): Promise<void> {
  nock.cleanAll();
  await Promise.all([ConversationModel.deleteMany({}), OutboxModel.deleteMany({}), DeliveredModel.deleteMany({}), LeaseModel.deleteMany({}), AccountModel.deleteMany({}), WindowAlertModel.deleteMany({})]);
}

export function windowDeps(config: Config, clock: TestClock) {
  const slack = new WebClient(BOT_TOKEN, { slackApiUrl: `${SLACK_API}/api/`, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  return { config, clock, logger, slack, slackPacer: new ChannelPacer(config.slack.channelPacing) };
}

export function windowWorker(deps: ReturnType<typeof windowDeps>): OutboxWorker {
  return new OutboxWorker(deps, windowOutboxHandlers(deps));
}

/** `seal` should be the service's own when its views will open the account's secrets. */
export async function createAccount(
  opts: { channelId?: string; name?: string; enabled?: boolean; locale?: 'en' | 'id'; seal?: (plain: string) => string } = {},
): Promise<Types.ObjectId> {
  const seal = opts.seal ?? ((plain: string) => plain);
  const name = opts.name ?? `Shop ${crypto.randomBytes(3).toString('hex')}`;
  const account = await AccountModel.create({
    teamId: 'T0001',
    name,
    nameKey: name.toLowerCase(),
    kind: 'cloud',
    apiUrl: 'https://graph.test',
    tokenSealed: seal(issuedToken('EAAG-token')),
    tokenHint: '…abcd',
    verifyTokenSealed: seal('verify-token'),
    channelId: opts.channelId ?? 'C0SHOP',
    enabled: opts.enabled ?? true,
    ...(opts.locale ? { locale: opts.locale } : {}),
    createdBy: 'U0ADMIN',
  });
  return account._id;
}

let customer = 0;

/** A conversation whose customer wrote at `inboundAt`, through the conversations repository as the webhook does. */
export async function createConversation(
  accountId: Types.ObjectId,
  inboundAt: Date,
  opts: { channelId?: string; threadTs?: string | null; name?: string; warnMinutes?: readonly number[] } = {},
): Promise<ConversationDocument> {
  customer++;
  const conversation = await ConversationModel.create({
    accountId,
    waId: `62812000${String(customer).padStart(4, '0')}`,
    profileName: opts.name ?? `Customer ${customer}`,
    channelId: opts.channelId ?? 'C0SHOP',
    ...(opts.threadTs === null ? {} : { threadTs: opts.threadTs ?? `1767500000.${String(customer).padStart(6, '0')}` }),
  });
  const { conversation: updated } = await recordInbound(conversation.toObject(), { at: inboundAt, preview: 'Is my order ready?' }, opts.warnMinutes ?? [120, 30]);
  return updated;
}

export async function reload(id: Types.ObjectId): Promise<ConversationDocument> {
  const c = await ConversationModel.findById(id).lean();
  if (!c) throw new Error('conversation vanished');
  return c;
}

/** The conversation's pending-alert document, if something is still to alert. */
export async function alertOf(id: Types.ObjectId): Promise<WindowAlertDocument | undefined> {
  return (await WindowAlertModel.findById(id)) ?? undefined;
}
