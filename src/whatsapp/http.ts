import { z } from 'zod';
import { isBsuid } from '../domain/customer';

/**
 * Plumbing of the Cloud API client (from Meta or through a BSP): the error type,
 * fetch with a time-out, and turning any HTTP outcome into either parsed data
 * or a WhatsAppApiError. Kept apart from provider.ts so the clients do not
 * import the module that imports them.
 */

/**
 * How an account reaches the Cloud API: from Meta (`cloud`), or through a BSP that serves the
 * Cloud API's own payloads from its own base URL with its own key header (`bsp`, e.g. 360dialog).
 * Meta shut the On-Premises API down on 2025-10-23; no client for it remains.
 */
export type ApiKind = 'cloud' | 'bsp';

/** 360dialog's header, the default of the connect form. */
export const DEFAULT_BSP_KEY_HEADER = 'D360-API-KEY';

/** An API kind the code does not know: a stored value from elsewhere must fail loudly, not pick a default. */
export function unknownKind(kind: never): never {
  throw new TypeError(`unknown WhatsApp API kind: ${String(kind)}`);
}

export type WhatsAppErrorKind = 'api' | 'network' | 'timeout' | 'invalid_response' | 'unsupported';

/** WhatsApp error codes that mean "slow down / try again later" even on a 4xx. */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([130429, 131056, 80007, 4, 131000, 131016]);

export interface WhatsAppApiErrorInit {
  kind: WhatsAppErrorKind;
  message: string;
  httpStatus?: number;
  code?: number;
  subcode?: number;
  /** Graph `type`, e.g. OAuthException. */
  type?: string;
  /** Graph `error_user_title`. */
  title?: string;
  /** Graph `error_user_msg` / `error_data.details`. */
  details?: string;
  fbtraceId?: string;
  /** Overrides the default (429, 5xx, network, time-out and THROTTLING_CODES). */
  retryable?: boolean;
  retryAfterMs?: number;
}

/**
 * Any failure talking to WhatsApp. Never carries the access token; the i18n
 * layer turns `kind`, `code` and `httpStatus` into text for people.
 */
export class WhatsAppApiError extends Error {
  readonly kind: WhatsAppErrorKind;
  readonly httpStatus?: number;
  readonly code?: number;
  readonly subcode?: number;
  readonly type?: string;
  readonly title?: string;
  readonly details?: string;
  readonly fbtraceId?: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(init: WhatsAppApiErrorInit) {
    super(init.message);
    this.name = 'WhatsAppApiError';
    this.kind = init.kind;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.subcode = init.subcode;
    this.type = init.type;
    this.title = init.title;
    this.details = init.details;
    this.fbtraceId = init.fbtraceId;
    this.retryable = init.retryable ?? defaultRetryable(init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

function defaultRetryable(init: WhatsAppApiErrorInit): boolean {
  if (init.kind === 'network' || init.kind === 'timeout') return true;
  if (init.kind !== 'api') return false;
  if (init.httpStatus !== undefined && (init.httpStatus === 429 || init.httpStatus >= 500)) return true;
  return init.code !== undefined && THROTTLING_CODES.has(init.code);
}

/**
 * A template as WhatsApp reports it, with Meta's field names. Unknown fields
 * (quality_score, parameter_format, ...) are kept for the template module.
 */
export const remoteTemplateSchema = z
  .object({
    id: z.string().optional(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string().optional(),
    namespace: z.string().optional(),
    components: z.array(z.unknown()).default([]),
    rejected_reason: z.string().optional(),
  })
  .loose();
export type RemoteTemplate = z.infer<typeof remoteTemplateSchema>;

/** What an API-specific error envelope contributes to a WhatsAppApiError. */
export type ErrorEnvelope = Omit<WhatsAppApiErrorInit, 'kind' | 'httpStatus' | 'retryAfterMs'>;
export type ErrorEnvelopeParser = (json: unknown) => ErrorEnvelope | undefined;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData;
  /** Overrides the client's default for this call. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface HttpClientConfig {
  token: string;
  timeoutMs: number;
  /** Headers that carry the token; sent on every request. */
  authHeaders: Record<string, string>;
  parseErrorEnvelope: ErrorEnvelopeParser;
}

const USER_AGENT = 'wadesk/0.1';

export class HttpClient {
  constructor(private readonly config: HttpClientConfig) {}

  /** Sends the request; a non-2xx answer becomes a WhatsAppApiError. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const timeoutMs = req.timeoutMs ?? this.config.timeoutMs;
    const host = req.url.host;
    let res: Response;
    let body: Buffer;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: { 'User-Agent': USER_AGENT, ...this.config.authHeaders, ...req.headers },
        body: req.body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
      // Read inside the try: the time-out also covers a body that trickles in.
      body = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw this.transportError(e, host, timeoutMs);
    }
    if (res.status < 200 || res.status > 299) throw this.httpError(res.status, res.headers, body);
    return { status: res.status, headers: res.headers, body };
  }

  /** Sends the request and parses a 2xx JSON answer with `schema`. */
  async json<T extends z.ZodType>(req: HttpRequest, schema: T): Promise<z.output<T>> {
    const res = await this.send(req);
    const json = parseJson(res.body);
    if (json === undefined) throw invalidResponse(res.status, 'the body is not JSON');
    const parsed = schema.safeParse(json.value);
    if (parsed.success) return parsed.data;
    // Some gateways answer 200 with an error envelope.
    const envelope = this.config.parseErrorEnvelope(json.value);
    if (envelope) throw this.apiError(res.status, res.headers, envelope);
    throw invalidResponse(res.status, describeIssues(parsed.error));
  }

  /** Removes the token from text that came from elsewhere, in case a server echoes it. */
  redact(text: string): string {
    const token = this.config.token;
    return token.length > 0 ? text.split(token).join('[redacted]') : text;
  }

  private transportError(e: unknown, host: string, timeoutMs: number): WhatsAppApiError {
    const name = field(e, 'name');
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new WhatsAppApiError({ kind: 'timeout', message: `No answer from ${host} within ${timeoutMs} ms` });
    }
    return new WhatsAppApiError({ kind: 'network', message: this.redact(`Could not reach ${host}: ${networkReason(e)}`) });
  }

  private httpError(status: number, headers: Headers, body: Buffer): WhatsAppApiError {
    const json = parseJson(body);
    const envelope = json === undefined ? undefined : this.config.parseErrorEnvelope(json.value);
    return this.apiError(status, headers, envelope ?? { message: `HTTP ${status}` });
  }

  private apiError(status: number, headers: Headers, envelope: ErrorEnvelope): WhatsAppApiError {
    const codes = [envelope.code, envelope.subcode].filter((c) => c !== undefined).join('/');
    const where = codes ? `HTTP ${status}, code ${codes}` : `HTTP ${status}`;
    return new WhatsAppApiError({
      ...envelope,
      kind: 'api',
      httpStatus: status,
      message: this.redact(`WhatsApp API error (${where}): ${envelope.message}`),
      title: envelope.title === undefined ? undefined : this.redact(envelope.title),
      details: envelope.details === undefined ? undefined : this.redact(envelope.details),
      retryAfterMs: parseRetryAfter(headers.get('retry-after'), Date.now()),
    });
  }
}

function invalidResponse(status: number, why: string): WhatsAppApiError {
  return new WhatsAppApiError({ kind: 'invalid_response', httpStatus: status, message: `Unexpected answer from WhatsApp (HTTP ${status}): ${why}` });
}

function parseJson(body: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** Paths and messages only: values may be anything the server sent. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

// Duck-typed: fetch errors come from another realm under jest, so instanceof Error fails.
function field(value: unknown, key: 'name' | 'message' | 'code'): string | undefined {
  if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
  const v: unknown = Reflect.get(value, key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function networkReason(e: unknown): string {
  const cause: unknown = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : undefined;
  return field(cause, 'code') ?? field(e, 'code') ?? field(cause, 'message') ?? field(e, 'message') ?? 'unknown error';
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Appends path segments to a base URL, keeping its path prefix (`/v23.0`) and ignoring a trailing slash. */
export function apiUrl(base: string, segments: readonly string[], query?: Record<string, string | undefined>): URL {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = [prefix, ...segments.map((s) => encodeURIComponent(s))].join('/');
  url.search = '';
  url.hash = '';
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Only https, or the base URL's own scheme (plain http in tests and local gateways). */
export function isAllowedUrl(candidate: URL, base: string): boolean {
  return candidate.protocol === 'https:' || candidate.protocol === new URL(base).protocol;
}

// Message bodies: identical for both APIs except that the Cloud API adds `messaging_product`.

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

export interface MediaRef {
  kind: MediaKind;
  link?: string;
  mediaId?: string;
  caption?: string;
  filename?: string;
}

type Body = Record<string, unknown>;

/**
 * The recipient: a number goes in `to`, a business-scoped user ID (BSUID) in `recipient`, the
 * field Meta added for them (it takes `to`'s place when the customer shares no number).
 */
function envelope(to: string, type: string, content: Body, replyToWamid?: string): Body {
  return {
    recipient_type: 'individual',
    ...(isBsuid(to) ? { recipient: to } : { to }),
    type,
    ...(replyToWamid ? { context: { message_id: replyToWamid } } : {}),
    [type]: content,
  };
}

export function textMessage(to: string, body: string, replyToWamid?: string): Body {
  // preview_url only when there is something to preview; WhatsApp ignores it otherwise anyway.
  const text = /https?:\/\//i.test(body) ? { body, preview_url: true } : { body };
  return envelope(to, 'text', text, replyToWamid);
}

/** An interactive message (reply buttons or a list), its `interactive` object as WhatsApp takes it. */
export function interactiveMessage(to: string, interactive: Body): Body {
  return envelope(to, 'interactive', interactive);
}

export function mediaMessage(to: string, media: MediaRef, replyToWamid?: string): Body {
  if (Boolean(media.link) === Boolean(media.mediaId)) {
    throw new TypeError('media needs exactly one of link or mediaId');
  }
  const object: Body = media.mediaId ? { id: media.mediaId } : { link: media.link };
  // WhatsApp rejects captions on audio and stickers, and file names on anything but documents.
  if (media.caption && (media.kind === 'image' || media.kind === 'video' || media.kind === 'document')) {
    object.caption = media.caption;
  }
  if (media.filename && media.kind === 'document') object.filename = media.filename;
  return envelope(to, media.kind, object, replyToWamid);
}

export function templateMessage(
  to: string,
  template: { name: string; language: string; namespace?: string; components: unknown[] },
): Body {
  return envelope(to, 'template', {
    ...(template.namespace ? { namespace: template.namespace } : {}),
    name: template.name,
    language: { policy: 'deterministic', code: template.language },
    ...(template.components.length > 0 ? { components: template.components } : {}),
  });
}

/** `{ messages: [{ id }] }`, the answer of both APIs to a send. */
export const sentSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });

export function wamidOf(sent: z.output<typeof sentSchema>): { wamid: string } {
  const [first] = sent.messages;
  // min(1) above guarantees it; the check satisfies noUncheckedIndexedAccess.
  if (!first) throw new WhatsAppApiError({ kind: 'invalid_response', message: 'no message id in the answer' });
  return { wamid: first.id };
}
