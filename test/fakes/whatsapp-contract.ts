/**
 * What Meta's WhatsApp APIs accept and answer, as zod schemas taken from
 * /work/shared/reference/whatsapp-business-messaging-api_v23.0.yaml
 * (components/schemas: Message, TextMessage, ImageMessage..., MediaObject(_1),
 * TemplateObject, LanguageObject, TemplateComponent, ParameterObject,
 * ButtonParameterObject, GraphAPIError; paths /{WABA-ID}/message_templates), and Meta's
 * "Business-scoped user IDs" page (2026): a message goes `to` a phone number or to a BSUID
 * in `recipient`; with both, `to` wins.
 * Tests call the expect* helpers inside nock reply functions to check what we send,
 * and use the builders for realistic answers.
 */
import { z } from 'zod';

// ---- send-message request body -------------------------------------------------

const context = z.object({ message_id: z.string().min(1) }).strict();

/** A phone number as WhatsApp takes it: digits, optionally after `+`. */
const phoneNumber = z.string().regex(/^\+?\d{1,20}$/, 'a phone number: digits, optionally after +');
/** A BSUID or parent BSUID: two-letter country code, a dot, (`ENT.`,) up to 128 alphanumerics. */
const businessScopedUserId = z.string().regex(/^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/, 'a business-scoped user ID such as US.13491208655302741918');

const base = {
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.enum(['individual', 'group']).optional(),
  to: phoneNumber.optional(),
  recipient: businessScopedUserId.optional(),
  context: context.optional(),
};

/** Every send names its recipient, by number (`to`) or BSUID (`recipient`). */
function addressed<T extends z.ZodTypeAny>(schema: T) {
  return schema.refine(
    (body: unknown) => typeof body === 'object' && body !== null && ('to' in body || 'recipient' in body),
    'a message needs `to` (a phone number) or `recipient` (a business-scoped user ID)',
  );
}

/** MediaObject: exactly one of id or link. */
function mediaObject<T extends z.ZodRawShape>(extra: T) {
  return z.union([
    z.object({ id: z.string().min(1), ...extra }).strict(),
    z.object({ link: z.string().url().refine((l) => /^https?:\/\//.test(l), 'HTTP/HTTPS only'), ...extra }).strict(),
  ]);
}
const caption = z.string().max(1024).optional();

const textParameter = z.object({ type: z.literal('text'), text: z.string().max(32768), parameter_name: z.string().optional() }).strict();
const currencyParameter = z
  .object({
    type: z.literal('currency'),
    currency: z.object({ fallback_value: z.string(), code: z.string().length(3), amount_1000: z.number().int() }).strict(),
    parameter_name: z.string().optional(),
  })
  .strict();
const dateTimeParameter = z
  .object({ type: z.literal('date_time'), date_time: z.object({ fallback_value: z.string() }).passthrough(), parameter_name: z.string().optional() })
  .strict();
const imageParameter = z.object({ type: z.literal('image'), image: mediaObject({}) }).strict();
const videoParameter = z.object({ type: z.literal('video'), video: mediaObject({}) }).strict();
const documentParameter = z.object({ type: z.literal('document'), document: mediaObject({ filename: z.string().optional() }) }).strict();
const parameterObject = z.discriminatedUnion('type', [
  textParameter,
  currencyParameter,
  dateTimeParameter,
  imageParameter,
  videoParameter,
  documentParameter,
]);

const buttonParameter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('payload'), payload: z.string() }).strict(),
  z.object({ type: z.literal('text'), text: z.string() }).strict(),
  // Used by catalog and copy-code buttons (yaml examples "Send Catalog Template Message").
  z.object({ type: z.literal('action'), action: z.record(z.string(), z.unknown()) }).strict(),
  z.object({ type: z.literal('coupon_code'), coupon_code: z.string() }).strict(),
]);

/** ButtonComponent.index is a string in the yaml; Meta also accepts a number. */
const buttonIndex = z.union([z.string().regex(/^\d+$/), z.number().int().min(0).max(9)]);

const templateComponent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), parameters: z.array(parameterObject).min(1) }).strict(),
  z.object({ type: z.literal('body'), parameters: z.array(parameterObject).optional() }).strict(),
  z
    .object({
      type: z.literal('button'),
      // yaml enum is quick_reply/url/catalog; copy_code and flow are documented for authentication and flow templates.
      sub_type: z.enum(['quick_reply', 'url', 'catalog', 'copy_code', 'flow', 'CATALOG']),
      index: buttonIndex,
      parameters: z.array(buttonParameter).min(1),
    })
    .strict(),
]);

const languageObject = z.object({ policy: z.literal('deterministic').optional(), code: z.string().min(2) }).strict();

const templateObject = z
  .object({
    name: z.string().min(1),
    language: languageObject,
    components: z.array(templateComponent).optional(),
  })
  .strict();

/**
 * InteractiveObject (reply buttons and lists only, what we send): a body of up to 1,024 characters;
 * at most 3 reply buttons with titles up to 20 and ids up to 256; a list's button up to 20, 1 to 10
 * sections (a title, up to 24, needed when there are several) of rows with ids up to 200, titles up to 24
 * and descriptions up to 72, at most 10 rows in all.
 */
const interactiveBody = z.object({ text: z.string().min(1).max(1024) }).strict();
const interactiveFooter = z.object({ text: z.string().min(1).max(60) }).strict().optional();
const interactiveObject = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('button'),
      body: interactiveBody,
      footer: interactiveFooter,
      action: z
        .object({
          buttons: z
            .array(z.object({ type: z.literal('reply'), reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }).strict() }).strict())
            .min(1)
            .max(3),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      type: z.literal('list'),
      body: interactiveBody,
      footer: interactiveFooter,
      action: z
        .object({
          button: z.string().min(1).max(20),
          sections: z
            .array(
              z
                .object({
                  title: z.string().max(24).optional(),
                  rows: z.array(z.object({ id: z.string().min(1).max(200), title: z.string().min(1).max(24), description: z.string().max(72).optional() }).strict()).max(10),
                })
                .strict(),
            )
            .min(1)
            .max(10)
            .refine((sections) => sections.reduce((n, sec) => n + sec.rows.length, 0) <= 10, 'at most 10 rows in all')
            .refine((sections) => sections.length === 1 || sections.every((sec) => sec.title), 'a title on each of several sections'),
        })
        .strict(),
    })
    .strict(),
]);

function messageSchemas<B extends z.ZodRawShape, T extends z.ZodTypeAny>(b: B, template: T) {
  return z.discriminatedUnion('type', [
    z.object({ ...b, type: z.literal('text'), text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }).strict() }).strict(),
    z.object({ ...b, type: z.literal('image'), image: mediaObject({ caption }) }).strict(),
    z.object({ ...b, type: z.literal('video'), video: mediaObject({ caption }) }).strict(),
    z.object({ ...b, type: z.literal('document'), document: mediaObject({ caption, filename: z.string().optional() }) }).strict(),
    z.object({ ...b, type: z.literal('audio'), audio: mediaObject({}) }).strict(),
    z.object({ ...b, type: z.literal('sticker'), sticker: mediaObject({}) }).strict(),
    z.object({ ...b, type: z.literal('template'), template }).strict(),
    z.object({ ...b, type: z.literal('interactive'), interactive: interactiveObject }).strict(),
  ]);
}

/** POST /{Phone-Number-ID}/messages (Cloud API). */
export const cloudSendBodySchema = addressed(messageSchemas(base, templateObject));

// ---- create-template request body ---------------------------------------------

const upper = (values: [string, ...string[]]) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(values));

const templateButton = z
  .object({
    type: upper(['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'OTP', 'MPM', 'CATALOG', 'FLOW', 'COPY_CODE']),
    text: z.string().min(1).max(25).optional(),
    url: z.string().optional(),
    phone_number: z.string().optional(),
    example: z.array(z.string()).optional(),
  })
  .passthrough();

const templateDefinitionComponent = z
  .object({
    type: upper(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']),
    format: upper(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']).optional(),
    text: z.string().optional(),
    example: z
      .object({
        header_text: z.array(z.string()).optional(),
        header_handle: z.array(z.string()).optional(),
        body_text: z.array(z.array(z.string())).optional(),
        header_text_named_params: z.array(z.object({ param_name: z.string(), example: z.string() })).optional(),
        body_text_named_params: z.array(z.object({ param_name: z.string(), example: z.string() })).optional(),
      })
      .strict()
      .optional(),
    buttons: z.array(templateButton).optional(),
  })
  .passthrough();

/** POST /{WABA-ID}/message_templates. */
export const createTemplateBodySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and underscores only'),
    language: z.string().min(2),
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
    allow_category_change: z.boolean().optional(),
    components: z.array(templateDefinitionComponent).min(1),
  })
  .strict();

// ---- helpers for nock reply functions -----------------------------------------

function parseBody(body: unknown): unknown {
  return typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
}

function check<T extends z.ZodTypeAny>(schema: T, body: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(parseBody(body));
  if (!parsed.success) {
    throw new Error(`${what} does not match Meta's contract: ${JSON.stringify(parsed.error.issues, null, 2)}`);
  }
  return parsed.data;
}

/** Throws (failing the request, hence the test) when the body is not a valid send-message body. */
export function expectValidSendBody(body: unknown): z.output<typeof cloudSendBodySchema> {
  return check(cloudSendBodySchema, body, 'send body');
}

export function expectValidCreateTemplateBody(body: unknown): z.output<typeof createTemplateBodySchema> {
  return check(createTemplateBodySchema, body, 'create-template body');
}

// ---- realistic answers ---------------------------------------------------------

export interface GraphErrorOptions {
  subcode?: number;
  type?: string;
  userTitle?: string;
  userMsg?: string;
  details?: string;
  isTransient?: boolean;
  fbtraceId?: string;
}

/** GraphAPIError envelope. */
export function graphError(code: number, message: string, opts: GraphErrorOptions = {}) {
  return {
    error: {
      message,
      type: opts.type ?? 'OAuthException',
      code,
      ...(opts.subcode !== undefined ? { error_subcode: opts.subcode } : {}),
      ...(opts.details !== undefined ? { error_data: { messaging_product: 'whatsapp', details: opts.details } } : {}),
      ...(opts.isTransient !== undefined ? { is_transient: opts.isTransient } : {}),
      ...(opts.userTitle !== undefined ? { error_user_title: opts.userTitle } : {}),
      ...(opts.userMsg !== undefined ? { error_user_msg: opts.userMsg } : {}),
      fbtrace_id: opts.fbtraceId ?? 'AXsgnV2Cm3ZMGF3dF_cfYIn',
    },
  };
}

/** The common Graph failures, as Meta sends them (HTTP status, body). */
export const graphErrors = {
  invalidToken: () =>
    [401, graphError(190, 'Invalid OAuth access token - Cannot parse access token', { type: 'OAuthException' })] as const,
  unknownPhoneNumberId: (id: string) =>
    [
      400,
      graphError(
        100,
        `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        { subcode: 33, type: 'GraphMethodException' },
      ),
    ] as const,
  rateLimited: () =>
    [400, graphError(130429, '(#130429) Rate limit hit', { details: 'Cloud API message throughput has been reached.' })] as const,
  reEngagement: () =>
    [
      400,
      graphError(131047, 'Re-engagement message', {
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      }),
    ] as const,
};

/** The answer to a send: `contacts[].wa_id` for a number, `contacts[].user_id` for a BSUID. */
export function sendOk(wamid: string, to = '6281234567890') {
  const contact = /^[A-Z]{2}\./.test(to) ? { input: to, user_id: to } : { input: to, wa_id: to };
  return { messaging_product: 'whatsapp', contacts: [contact], messages: [{ id: wamid }] };
}

/** Meta's refusal of a BSUID recipient for a message that needs a phone number. */
export function bsuidNotSupported() {
  return [
    400,
    graphError(131062, 'Business-scoped User ID recipients are not supported for this message', {
      details: 'Business-scoped User ID recipients are not supported for this message.',
    }),
  ] as const;
}

export function phoneNumberOk(opts: { id?: string; displayPhoneNumber?: string; verifiedName?: string; qualityRating?: string } = {}) {
  return {
    display_phone_number: opts.displayPhoneNumber ?? '+62 812-3456-7890',
    verified_name: opts.verifiedName ?? 'Toko Contoh',
    quality_rating: opts.qualityRating ?? 'GREEN',
    id: opts.id ?? '106540352242922',
  };
}

export function mediaUploadOk(id = '4490709327384033') {
  return { id };
}

export function mediaUrlOk(url: string, mimeType = 'image/jpeg', id = '2621233374848975') {
  return { url, mime_type: mimeType, sha256: 'a1b2c3', file_size: '303833', id, messaging_product: 'whatsapp' };
}

export function templateJson(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    parameter_format: 'POSITIONAL',
    components: [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Budi']] } }],
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    // Deterministic numeric id like Meta's, derived from the name.
    id: String(1_000_000_000 + ([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000_000, 7))),
    ...overrides,
  };
}

/** One page of GET /{WABA-ID}/message_templates; pass `next` for all but the last page. */
export function templatesPage(data: unknown[], next?: string) {
  return {
    data,
    paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' }, ...(next ? { next } : {}) },
  };
}

export function templateCreatedOk(id = '1689556908129832', status = 'PENDING', category = 'UTILITY') {
  return { id, status, category };
}

// ---- a BSP serving the Cloud API (360dialog) -------------------------------------

/**
 * 360dialog's `GET /health_status` answer (docs.360dialog.com, "Messaging Health Status"): Meta's
 * health_status object for the number the key belongs to. Its Cloud API calls take Meta's payloads
 * at `https://waba-v2.360dialog.io/<path>` without the phone number ID, the key in `D360-API-KEY`.
 */
export function bspHealthStatus(canSend: 'AVAILABLE' | 'LIMITED' | 'BLOCKED' = 'AVAILABLE') {
  return {
    health_status: {
      can_send_message: canSend,
      entities: [
        { entity_type: 'PHONE_NUMBER', id: '106540352242922', can_send_message: canSend },
        { entity_type: 'WABA', id: '102290129340398', can_send_message: canSend },
      ],
    },
    id: '106540352242922',
  };
}

/** 360dialog's answer to a missing or wrong key: 401 with its own envelope, not Graph's. */
export function bspUnauthorized() {
  return { meta: { success: false, http_code: 401, developer_message: 'Invalid api key' } };
}

// ---- every Graph call a test intercepts ----------------------------------------

const issued = new Set<string>();

/** A token Meta issued: the only kind a fake WhatsApp API may answer with success. */
export function issuedToken(token: string): string {
  issued.add(token);
  return token;
}

export interface GraphRequest {
  method: string;
  path: string;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * What Meta would refuse in one request: a token it never issued (Cloud API and BSPs take
 * `Authorization: Bearer`, 360dialog its `D360-API-KEY`), or a body outside the contract.
 */
export function graphRequestProblems({ method, path, headers, body }: GraphRequest): string[] {
  const where = `${method} ${path}`;
  const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
  const token = bearer ?? (typeof headers['d360-api-key'] === 'string' ? headers['d360-api-key'] : undefined);
  const problems = token !== undefined && issued.has(token) ? [] : [`${where}: #190 invalid OAuth access token (${token === undefined ? 'none sent' : 'not one Meta issued'})`];
  if (method !== 'POST') return problems;
  const route = path.split('?')[0] ?? '';
  const schema = route.endsWith('/messages') ? cloudSendBodySchema : route.endsWith('/message_templates') ? createTemplateBodySchema : undefined;
  if (!schema) return problems;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [...problems, `${where}: #100 the body is not JSON`];
  }
  const result = schema.safeParse(parsed);
  return result.success ? problems : [...problems, ...result.error.issues.map((i) => `${where}: #100 ${i.path.join('.')}: ${i.message}`)];
}

const refused: string[] = [];

/** Keeps what Meta would have refused but a fake accepted; the suite's afterEach fails the test. */
export function recordGraphProblems(problems: readonly string[]): void {
  refused.push(...problems);
}

export function takeGraphProblems(): string[] {
  return refused.splice(0, refused.length);
}
