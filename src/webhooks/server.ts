import Router from '@koa/router';
import Koa from 'koa';
import { JournalFull } from '../journal';
import type { Logger } from '../log';
import { isStorageFailure, type Database } from '../store/database';

export interface HttpAppParts {
  database: Database;
  logger: Logger;
  /** The embedded database down longer than this (its restarts failing) fails /healthz: only restarting the service may help. */
  maxDatabaseDownMs: number;
  /** Mounts POST /slack/events (absent in Socket Mode). */
  slackEvents?: Koa.Middleware;
  /** Each feature adds its own routes. */
  routes: ((router: Router) => void)[];
}

/** The one Koa server: health, Slack's events and WhatsApp's webhooks on one port. */
export function createHttpApp(parts: HttpAppParts): Koa {
  const app = new Koa();
  app.proxy = true;
  const router = new Router();

  router.get('/healthz', (ctx) => {
    const downForMs = parts.database.downForMs();
    if (downForMs > parts.maxDatabaseDownMs) {
      ctx.status = 503;
      ctx.body = { status: 'embedded database down', downForSeconds: Math.round(downForMs / 1000) };
      return;
    }
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const storage = await parts.database.check();
    ctx.status = storage.ok ? 200 : 503;
    ctx.body = { status: storage.ok ? 'ready' : storage.problem };
  });
  if (parts.slackEvents) router.post('/slack/events', parts.slackEvents);
  for (const addRoutes of parts.routes) addRoutes(router);

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Nothing was acknowledged, so the sender (Meta, Slack) will retry: say when.
      if (isStorageFailure(err) || err instanceof JournalFull) {
        parts.logger.warn('request refused: storage unavailable, failing or busy', { path: ctx.path, err });
        ctx.status = 503;
        ctx.set('Retry-After', '5');
        ctx.body = { error: 'storage unavailable, retry later' };
        return;
      }
      // Only our own faults reach here; bad input is answered with a 4xx where it is read.
      parts.logger.error('request failed', { path: ctx.path, err });
      ctx.status = 500;
      ctx.body = { error: 'internal error' };
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
