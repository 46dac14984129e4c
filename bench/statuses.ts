/**
 * Ingesting delivery statuses, as a campaign brings them: every message sent is delivered, then read,
 * one status a webhook as Meta sends them. Ingested in this process as the journal hands them over
 * (500 deliveries at a time), against the phase's own database: statuses a second, and the database's
 * commands a status. Nothing is posted (no outbox worker runs here); the reactions are queued.
 */
import { performance } from 'node:perf_hooks';
import { WebClient } from '@slack/web-api';
import { loadConfig } from '../src/config';
import type { Deps } from '../src/context';
import { ingestDeliveries } from '../src/conversations/ingest';
import type { Delivery } from '../src/journal';
import { createLogger } from '../src/log';
import { ChannelPacer } from '../src/outbox/pacing';
import { SecretBox } from '../src/security/secrets';
import { setThread, upsertConversation } from '../src/store/conversations';
import { insertMessages } from '../src/store/messages';
import { findAccount } from '../src/store/accounts';
import { MessageModel, type ConversationDocument } from '../src/store/models';
import { BOT_TOKEN, SIGNING_SECRET, seedCloudAccount } from '../test/drills/support';
import { BENCH_KEY, commandMeter, openPhaseDb, phaseDbName, round, type BenchContext } from './lib';

const CHANNEL = 'C0BENCH';
const INGEST_BATCH = 500;

export async function statusesBench(ctx: BenchContext, { messages, customers }: { messages: number; customers: number }) {
  const database = await openPhaseDb(ctx, phaseDbName(ctx, 'statuses'));
  const seeded = await seedCloudAccount(BENCH_KEY, { channelId: CHANNEL });
  const account = await findAccount(seeded.id);
  if (!account) throw new Error('the seeded account is not stored');
  const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, DATA_DIR: ctx.tmp });
  const deps: Deps = {
    config,
    clock: { now: () => new Date() },
    logger: createLogger('error', () => undefined),
    secrets: new SecretBox(BENCH_KEY),
    slack: new WebClient(BOT_TOKEN, { slackApiUrl: ctx.slack.apiUrl }),
    slackPacer: new ChannelPacer(config.slack.channelPacing),
  };
  try {
    const phone = (c: number) => String(6281300000000 + c);
    const conversations: ConversationDocument[] = [];
    for (let c = 0; c < customers; c++) {
      const conversation = await upsertConversation({ accountId: account._id, customer: { phone: phone(c) }, channelId: CHANNEL });
      await setThread(conversation._id, CHANNEL, `1700000000.${String(c).padStart(6, '0')}`);
      conversations.push(conversation);
    }
    const wamid = (n: number) => `wamid.status.${ctx.runId}.${n}`;
    for (let n = 0; n < messages; n += 1000) {
      await insertMessages(
        Array.from({ length: Math.min(1000, messages - n) }, (_, i) => ({
          key: `bench:status:${n + i}`,
          accountId: account._id,
          conversationId: conversations[(n + i) % customers]!._id,
          direction: 'outbound' as const,
          wamid: wamid(n + i),
          type: 'template',
          text: 'Promo Harbolnas: diskon 50% hari ini saja',
          sentAt: new Date(),
          sender: { kind: 'slack', id: 'U0BENCH' },
          status: 'sent' as const,
          slackChannelId: CHANNEL,
          slackTs: `1700000600.${String(n + i).padStart(6, '0')}`,
        })),
      );
    }
    ctx.log(`statuses: ${messages} messages sent to ${customers} customers; ingesting their delivered and read statuses`);
    const deliveries: Delivery[] = (['delivered', 'read'] as const).flatMap((status) =>
      Array.from({ length: messages }, (_, n) => ({
        account,
        events: [{ kind: 'status' as const, status: { wamid: wamid(n), status, timestamp: new Date(), recipient: { phone: phone(n % customers) }, errors: [] } }],
      })),
    );
    const commands = await commandMeter();
    const started = performance.now();
    let applied = 0;
    for (let i = 0; i < deliveries.length; i += INGEST_BATCH) applied += (await ingestDeliveries(deps, deliveries.slice(i, i + INGEST_BATCH))).statuses;
    const seconds = (performance.now() - started) / 1000;
    const taken = await commands.take();
    const read = await MessageModel.countDocuments({ status: 'read', accountId: account._id });
    ctx.log(`statuses: ${applied} of ${deliveries.length} applied in ${round(seconds, 2)} s`);
    return {
      statuses: deliveries.length,
      applied,
      messagesRead: read,
      seconds: round(seconds, 3),
      statusesPerSecond: round(deliveries.length / seconds, 0),
      dbCommandsPerStatus: taken.per(deliveries.length),
      load: { messages, customers, deliveriesPerIngest: INGEST_BATCH },
    };
  } finally {
    await database.close();
  }
}
