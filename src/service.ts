import http, { type RequestListener, type Server } from 'node:http';
import { App, LogLevel, type Authorize, type Logger as BoltLogger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { KoaSlackReceiver } from './bot/koa-receiver';
import { registerListeners } from './bot/listeners';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import type { Deps } from './context';
import { startJobs, type Job, type Jobs } from './jobs';
import { templateSyncJob } from './jobs/template-sync';
import { createLogger, type Logger } from './log';
import { OutboxWorker, outboxJobs, type OutboxHandler } from './outbox';
import { ChannelPacer } from './outbox/pacing';
import { setAsideHandlers } from './set-aside';
import { loadCheckedKey } from './security/key-check';
import { SecretBox } from './security/secrets';
import { templateOutboxHandlers } from './templates';
import { openDatabase, type Database } from './store/database';
import './store/models';
import { createHttpApp } from './webhooks/server';
import { restoreDelivery, whatsappWebhookRoutes } from './webhooks/whatsapp';
import { Journal } from './journal';
import { ingestDeliveries } from './conversations/ingest';
import { conversationOutboxHandlers } from './conversations/deliveries';
import { inboxOutboxHandlers } from './inbox';
import { windowJobs, windowOutboxHandlers } from './window';
import { slaJobs, slaOutboxHandlers } from './sla';
import { metricsDigestJob, metricsOutboxHandlers } from './metrics/digest';
import { csatOutboxHandlers } from './metrics/csat';

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
  /** Database name; tests give each suite its own. */
  dbName?: string;
  /** Cron jobs and the outbox loop; off in tests, which drive them by hand (no sleeping). */
  background?: boolean;
  /** The cron jobs alone, on the service clock, whatever `background` says: tests tick them by hand. */
  jobs?: boolean;
}

export interface RunningService {
  deps: Deps;
  bolt: App;
  port: number;
  url: string;
  database: Database;
  outbox: OutboxWorker;
  journal: Journal;
  /** The cron jobs, when they run (see ServiceOptions). */
  jobs: Jobs | undefined;
  /** Resolves once the Slack listeners running now have finished (HTTP mode; at once in Socket Mode). */
  slackSettled(): Promise<void>;
  stop(): Promise<void>;
}

/** How long a shutdown may wait for the database before it disconnects and lets the rest fail fast. */
const STOP_GRACE_MS = 4_000;

/** Builds and starts everything in one process on one port; resolves once it listens. */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database = await openDatabase({ uri: config.mongodbUri, dataDir: config.dataDir, dbName: options.dbName, logger });
  let secrets: SecretBox;
  try {
    secrets = new SecretBox(await loadCheckedKey(config));
  } catch (err) {
    await database.close();
    throw err;
  }

  const slackApi = { slackApiUrl: config.slack.apiUrl };
  // The outbox does its own retrying, so the client must report failures at once.
  const slack = new WebClient(config.slack.botToken, {
    ...slackApi,
    logger: boltLogger(logger),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const deps: Deps = { config, clock, logger, secrets, slack, slackPacer: new ChannelPacer(config.slack.channelPacing) };

  const receiver = config.slack.appToken
    ? undefined
    : new KoaSlackReceiver({ signingSecret: config.slack.signingSecret ?? '', clock, logger });
  const bolt = new App({
    ...(receiver ? { receiver } : { socketMode: true, appToken: config.slack.appToken }),
    authorize: cachedAuthorize(slack, config.slack.botToken),
    clientOptions: slackApi,
    logger: boltLogger(logger),
  });
  registerListeners(bolt, deps);

  // Each feature contributes its routes, outbox handlers and cron jobs here.
  const journal = new Journal(deps, { ingest: (deliveries) => ingestDeliveries(deps, deliveries), restore: restoreDelivery });
  const routes: Parameters<typeof createHttpApp>[0]['routes'] = [whatsappWebhookRoutes(deps, journal)];
  const setAside = setAsideHandlers(deps);
  const outboxHandlers: Record<string, OutboxHandler> = {
    ...conversationOutboxHandlers(deps),
    ...inboxOutboxHandlers(deps),
    ...setAside.handlers,
    ...templateOutboxHandlers(deps),
    ...windowOutboxHandlers(deps),
    ...slaOutboxHandlers(deps),
    ...metricsOutboxHandlers(deps),
    ...csatOutboxHandlers(deps),
  };
  const cronJobs: Job[] = [templateSyncJob(deps), ...windowJobs(deps), ...slaJobs(deps), metricsDigestJob(deps), ...outboxJobs(deps)];

  const outbox = new OutboxWorker(deps, outboxHandlers, { yieldWhile: () => journal.urgent, onSetAside: setAside.onSetAside });
  const http = createHttpApp({ database, logger, maxDatabaseDownMs: config.embeddedDbMaxDownMs, slackEvents: receiver?.middleware(), routes });
  const server = await listen(http.callback(), config.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  if (!receiver) {
    // Socket Mode reconnects by itself; Slack being down must not stop the service.
    bolt.start().catch((err: unknown) => logger.error('socket mode could not connect yet', { err }));
  }
  const background = options.background !== false;
  const jobs: Jobs | undefined = (options.jobs ?? background) ? startJobs(cronJobs, deps) : undefined;
  if (background) {
    journal.start();
    outbox.start();
  }
  logger.info('wadesk is listening', { port, publicUrl: config.publicUrl, socketMode: !receiver });

  let stopping: Promise<void> | undefined;
  return {
    deps,
    bolt,
    port,
    url: `http://127.0.0.1:${port}`,
    database,
    outbox,
    journal,
    jobs,
    slackSettled: async () => receiver?.settled(),
    stop: () =>
      (stopping ??= (async () => {
        // What waits for a database that is gone would wait out the driver's time-outs, one after another:
        // closed first, it fails at once (nothing is lost, the journal keeps what was acknowledged).
        const giveUp = setTimeout(() => void database.close(), STOP_GRACE_MS);
        if (!(await database.ping(500))) await database.close();
        await closeServer(server);
        await jobs?.stop();
        await journal.stop();
        await outbox.stop();
        if (!receiver) await bolt.stop().catch(() => undefined);
        clearTimeout(giveUp);
        await database.close();
        logger.info('wadesk stopped');
      })()),
  };
}

/** One auth.test for the bot token, repeated only after a failure (Slack may be down at start). */
function cachedAuthorize(client: WebClient, token: string): Authorize<boolean> {
  let identity: Promise<{ botId?: string; botUserId?: string; teamId?: string }> | undefined;
  return async () => {
    identity ??= client.auth.test({ token }).then((r) => ({ botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }));
    try {
      return { botToken: token, ...(await identity) };
    } catch (err) {
      identity = undefined;
      throw err;
    }
  };
}

function boltLogger(logger: Logger): BoltLogger {
  const join = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  return {
    debug: (...args) => logger.debug(join(args)),
    info: (...args) => logger.info(join(args)),
    warn: (...args) => logger.warn(join(args)),
    error: (...args) => logger.error(join(args)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

function listen(handler: RequestListener, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    // Longer than the idle timeout of the clients and proxies in front (Meta, load balancers: about 60 s),
    // so a client never reuses a kept-alive socket at the moment the server closes it (ECONNRESET).
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

/** Stops accepting connections and resolves once the requests in flight have finished. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Connections whose last response ends from now on (requests still in flight) close as soon as they are idle.
    server.keepAliveTimeout = 1;
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
