import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../context';
import type { Delivery, Journal } from '../journal';
import { safeEqual } from '../security/secrets';
import { accountSecrets, findAccount, findAccountRecent } from '../store/accounts';
import type { AccountDocument, JournalEntry } from '../store/models';
import { kindTraits } from '../accounts/kind';
import { parseCloudWebhook } from '../whatsapp/inbound';
import { BodyError, decodeUtf8, parseJson, readRawBody } from './raw-body';

/** Meta's `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the exact bytes received. */
export function validSignature(raw: Buffer, header: string, appSecret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match?.[1]) return false;
  const expected = crypto.createHmac('sha256', appSecret).update(raw).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

function refuse(ctx: Context, status: number, error: string): void {
  ctx.status = status;
  ctx.body = { error };
}

/**
 * A connected account whose webhooks arrive at `route`, or undefined after answering: 404 for an
 * unknown or disconnected account or the other route, 410 Gone for one on the On-Premises API,
 * which Meta retired on 2025-10-23 (a gateway still sending learns it should stop).
 */
async function liveAccount(ctx: Context, id: string, route: 'signed' | 'secret'): Promise<AccountDocument | undefined> {
  const account = await findAccountRecent(id);
  if (!account || account.state === 'disconnected') {
    refuse(ctx, 404, 'unknown account');
    return undefined;
  }
  const expected = kindTraits(account.kind).webhook;
  if (expected === 'gone') {
    refuse(ctx, 410, 'the On-Premises API was retired by Meta on 2025-10-23; move this account to the Cloud API or a BSP');
    return undefined;
  }
  if (expected !== route) {
    refuse(ctx, 404, route === 'signed' ? 'this account receives webhooks at its secret URL' : 'unknown webhook URL');
    return undefined;
  }
  return account;
}

/**
 * Reads, verifies and parses the body, stores it in the journal, and only then
 * answers 200: Meta redelivers whatever is not acknowledged. Ingest follows from the journal.
 */
async function receive(
  deps: Deps,
  journal: Journal,
  ctx: Context,
  account: AccountDocument,
  verify: (raw: Buffer) => boolean,
): Promise<void> {
  let text: string;
  let body: unknown;
  try {
    const raw = await readRawBody(ctx, deps.config.webhookBodyLimitBytes);
    if (!verify(raw)) return refuse(ctx, 401, 'invalid signature');
    text = decodeUtf8(raw);
    body = parseJson(text);
  } catch (err) {
    if (err instanceof BodyError) return refuse(ctx, err.status, err.message);
    throw err;
  }
  // A BSP serves the Cloud API's own webhook format: one parser for every account.
  const parsed = parseCloudWebhook(body);
  if (!parsed.ok) return refuse(ctx, 400, `unexpected payload: ${parsed.reason}`);
  await journal.accept({ account, events: parsed.events }, text);
  ctx.status = 200;
  ctx.body = { ok: true };
}

/** A journal entry's delivery, parsed again as when it was received; undefined if it no longer parses. */
export async function restoreDelivery(entry: JournalEntry): Promise<Delivery | undefined> {
  const account = await findAccount(String(entry.accountId));
  if (!account) return undefined;
  let body: unknown;
  try {
    body = parseJson(entry.body);
  } catch {
    return undefined;
  }
  // An entry left from a retired On-Premises account (flat shape) no longer parses and is set aside.
  const parsed = parseCloudWebhook(body);
  return parsed.ok ? { account, events: parsed.events } : undefined;
}

/** WhatsApp's webhooks: `GET/POST /webhooks/whatsapp/:accountId` (Cloud API, signed) and `POST .../:accountId/:secret` (BSP). */
export function whatsappWebhookRoutes(deps: Deps, journal: Journal): (router: Router) => void {
  return (router) => {
    // Meta's verification handshake when the webhook URL is configured.
    router.get('/webhooks/whatsapp/:accountId', async (ctx) => {
      const account = await liveAccount(ctx, ctx.params.accountId ?? '', 'signed');
      if (!account) return;
      const mode = ctx.query['hub.mode'];
      const token = ctx.query['hub.verify_token'];
      const challenge = ctx.query['hub.challenge'];
      const ok =
        mode === 'subscribe' &&
        typeof token === 'string' &&
        typeof challenge === 'string' &&
        safeEqual(token, accountSecrets(account, deps.secrets).verifyToken);
      if (!ok) return refuse(ctx, 403, 'verification failed');
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = challenge;
    });

    router.post('/webhooks/whatsapp/:accountId', async (ctx) => {
      const account = await liveAccount(ctx, ctx.params.accountId ?? '', 'signed');
      if (!account) return;
      const appSecret = accountSecrets(account, deps.secrets).appSecret;
      if (!appSecret) {
        deps.logger.warn('webhook refused: the account has no app secret to check signatures with', { accountId: String(account._id) });
        return refuse(ctx, 401, 'invalid signature');
      }
      const header = ctx.get('x-hub-signature-256');
      await receive(deps, journal, ctx, account, (raw) => validSignature(raw, header, appSecret));
    });

    // A BSP does not have Meta's app secret to sign with; the URL carries the account's secret instead.
    router.post('/webhooks/whatsapp/:accountId/:secret', async (ctx) => {
      const account = await liveAccount(ctx, ctx.params.accountId ?? '', 'secret');
      if (!account) return;
      if (!safeEqual(ctx.params.secret ?? '', accountSecrets(account, deps.secrets).verifyToken)) {
        return refuse(ctx, 401, 'invalid webhook secret');
      }
      await receive(deps, journal, ctx, account, () => true);
    });
  };
}
