import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { LogLevel, verifySlackRequest } from '@slack/bolt';
import type { Middleware } from 'koa';
import type { Clock } from '../clock';
import type { Logger } from '../log';
import { BodyError, decodeUtf8, parseJson, readRawBody } from '../webhooks/raw-body';

const SLACK_BODY_LIMIT = 1024 * 1024;
/** Slack gives up after 3 s; answer just before so a slow listener still gets a response. */
const ACK_DEADLINE_MS = 2_900;
/** Slack's own rule: a request more than five minutes from now is refused. */
const MAX_CLOCK_SKEW_SEC = 5 * 60;

type AckBody = Parameters<ReceiverEvent['ack']>[0];

/**
 * Serves Bolt from our Koa server at POST /slack/events: commands, interactivity
 * and events on one URL, each request's signature checked before anything else.
 */
export class KoaSlackReceiver implements Receiver {
  private app: App | undefined;
  /** Listener runs not finished yet: they go on after the answer to Slack. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly options: { signingSecret: string; clock: Clock; logger: Logger; bodyLimit?: number },
  ) {}

  init(app: App): void {
    this.app = app;
  }

  // The Koa server is started and stopped by the service, not by Bolt.
  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  middleware(): Middleware {
    return async (ctx) => {
      let body: Record<string, unknown>;
      try {
        const raw = await readRawBody(ctx, this.options.bodyLimit ?? SLACK_BODY_LIMIT);
        const text = decodeUtf8(raw);
        this.verify(ctx.get('x-slack-signature'), ctx.get('x-slack-request-timestamp'), text);
        body = parseSlackBody(ctx.get('content-type'), text);
      } catch (err) {
        const status = err instanceof BodyError ? err.status : 401;
        ctx.status = status;
        ctx.body = { error: status === 401 ? 'invalid Slack request signature' : (err as Error).message };
        return;
      }

      if (body.type === 'url_verification') {
        ctx.body = { challenge: body.challenge };
        return;
      }
      if (body.ssl_check) {
        ctx.status = 200;
        return;
      }
      if (!this.app) throw new Error('receiver used before Bolt initialised it');

      let acked = false;
      let resolveAck: (response: AckBody) => void = () => undefined;
      const ackPromise = new Promise<AckBody>((resolve) => (resolveAck = resolve));
      const event: ReceiverEvent = {
        body,
        retryNum: numberHeader(ctx.get('x-slack-retry-num')),
        retryReason: ctx.get('x-slack-retry-reason') || undefined,
        ack: async (response) => {
          if (acked) return;
          acked = true;
          resolveAck(response);
        },
      };

      const processing = this.app.processEvent(event).then(
        () => 'done' as const,
        (err: unknown) => {
          this.options.logger.error('slack listener failed', { err });
          return 'failed' as const;
        },
      );
      this.running.add(processing);
      void processing.finally(() => this.running.delete(processing));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ACK_DEADLINE_MS)));
      const outcome = await Promise.race([ackPromise.then(() => 'acked' as const), processing, deadline]);
      clearTimeout(timer);

      if (outcome === 'failed' && !acked) {
        ctx.status = 500;
        ctx.body = { error: 'the request could not be handled' };
        return;
      }
      const response = acked ? await ackPromise : undefined;
      ctx.status = 200;
      if (response === undefined || response === '') ctx.body = '';
      else ctx.body = response;
    };
  }

  /** Resolves once every listener run started so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private verify(signature: string, timestamp: string, body: string): void {
    if (!this.options.signingSecret) throw new Error('no signing secret');
    // Bolt refuses stale timestamps only; one from the future is as replayable.
    const nowSec = this.options.clock.now().getTime() / 1000;
    if (!(Math.abs(nowSec - Number(timestamp)) <= MAX_CLOCK_SKEW_SEC)) throw new Error('timestamp out of range');
    verifySlackRequest({
      signingSecret: this.options.signingSecret,
      body,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: this.options.clock.now().getTime(),
      logger: silentLogger,
    });
  }
}

/** Slash commands and interactivity come form-encoded; interactive payloads carry JSON in `payload`. */
function parseSlackBody(contentType: string, text: string): Record<string, unknown> {
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(text));
    if (typeof form.payload === 'string') return asObject(parseJson(form.payload));
    return form;
  }
  if (contentType.includes('application/json')) return asObject(parseJson(text));
  throw new BodyError(415, 'expected application/json or application/x-www-form-urlencoded');
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new BodyError(400, 'expected a JSON object');
}

function numberHeader(value: string): number | undefined {
  return value === '' || Number.isNaN(Number(value)) ? undefined : Number(value);
}

const noop = (): void => undefined;
const silentLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  setLevel: noop,
  getLevel: () => LogLevel.ERROR,
  setName: noop,
};
