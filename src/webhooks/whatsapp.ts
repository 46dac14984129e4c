import crypto from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Deps } from '../context';
import type { Delivery, Journal } from '../journal';
import { safeEqual } from '../security/secrets';
import { accountSecrets, findAccount, findAccountRecent } from '../store/accounts';
import type { AccountDocument, JournalEntry } from '../store/models';
import { parseCloudWebhook, parseWhatsAppWebhook, type WebhookParseResult } from '../whatsapp/inbound';
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

/** A connected account, or undefined after answering 404 (a disconnected account has no webhook any more). */
async function liveAccount(ctx: Context, id: string): Promise<AccountDocument | undefined> {
  const account = await findAccountRecent(id);
  if (!account || account.state === 'disconnected') {
    refuse(ctx, 404, 'unknown account');
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
  parse: (body: unknown) => WebhookParseResult,
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
  const parsed = parse(body);
  if (!parsed.ok) return refuse(ctx, 400, `unexpected payload: ${parsed.reason}`);
  await journal.accept({ account, events: parsed.events }, text);
  ctx.status = 200;
  ctx.body = { ok: true };
}

function webhookParser(account: Pick<AccountDocument, 'kind'>): (body: unknown) => WebhookParseResult {
  return account.kind === 'cloud' ? parseCloudWebhook : parseWhatsAppWebhook;
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
  const parsed = webhookParser(account)(body);
  return parsed.ok ? { account, events: parsed.events } : undefined;
}

/** WhatsApp's webhooks: `GET/POST /webhooks/whatsapp/:accountId` (Cloud API) and `POST .../:accountId/:secret` (On-Premises). */
export function whatsappWebhookRoutes(deps: Deps, journal: Journal): (router: Router) => void {
  return (router) => {
    // Meta's verification handshake when the webhook URL is configured.
    router.get('/webhooks/whatsapp/:accountId', async (ctx) => {
      const account = await liveAccount(ctx, ctx.params.accountId ?? '');
      if (!account) return;
      const mode = ctx.query['hub.mode'];
      const token = ctx.query['hub.verify_token'];
      const challenge = ctx.query['hub.challenge'];
      const ok =
        account.kind === 'cloud' &&
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
      const account = await liveAccount(ctx, ctx.params.accountId ?? '');
      if (!account) return;
      if (account.kind !== 'cloud') return refuse(ctx, 404, 'this account receives webhooks at its secret URL');
      const appSecret = accountSecrets(account, deps.secrets).appSecret;
      if (!appSecret) {
        deps.logger.warn('webhook refused: the account has no app secret to check signatures with', { accountId: String(account._id) });
        return refuse(ctx, 401, 'invalid signature');
      }
      const header = ctx.get('x-hub-signature-256');
      await receive(deps, journal, ctx, account, (raw) => validSignature(raw, header, appSecret), webhookParser(account));
    });

    // On-Premises and BSP gateways do not sign; the URL carries the account's secret instead.
    router.post('/webhooks/whatsapp/:accountId/:secret', async (ctx) => {
      const account = await liveAccount(ctx, ctx.params.accountId ?? '');
      if (!account) return;
      if (account.kind !== 'onprem') return refuse(ctx, 404, 'unknown webhook URL');
      if (!safeEqual(ctx.params.secret ?? '', accountSecrets(account, deps.secrets).verifyToken)) {
        return refuse(ctx, 401, 'invalid webhook secret');
      }
      await receive(deps, journal, ctx, account, () => true, webhookParser(account));
    });
  };
}
