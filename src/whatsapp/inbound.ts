/**
 * Turns WhatsApp webhook deliveries into our own event types. Nothing past the
 * webhook route sees Meta's JSON.
 *
 * Strictness policy:
 * - The envelope (object, entry[], changes[], metadata.phone_number_id for Cloud,
 *   a message's id/timestamp and its sender: a phone number (`from`), a BSUID
 *   (`from_user_id`) or both; a status's id/status/timestamp and its recipient
 *   (`recipient_id`, `recipient_user_id`); an error's code) must be well formed, or
 *   the whole delivery is `ok: false` with a reason naming the path: an event we cannot identify cannot be stored or
 *   deduplicated, and acknowledging part of a delivery would lose the rest silently.
 * - A message's content is lenient: an unknown type, or a known type whose inner
 *   object is malformed, becomes `unsupported` (keeping the original type) so the
 *   conversation still shows that the customer wrote something.
 * - Optional decorations (context, referral, contact profiles, conversation,
 *   pricing) are dropped when malformed rather than failing anything.
 * Unknown keys are ignored everywhere.
 */
import { z } from 'zod';
import { BSUID_FORMAT, isBsuid, isWaId, WA_ID_FORMAT, type CustomerIds } from '../domain/customer';

export type MediaType = 'image' | 'audio' | 'video' | 'document' | 'sticker';

export interface SharedContact {
  name: string;
  phones: { phone: string; waId?: string; type?: string }[];
  emails: { email: string; type?: string }[];
  organization?: string;
}

export interface OrderItem {
  productRetailerId: string;
  quantity: number;
  itemPrice: number;
  currency: string;
}

export type MessageContent =
  | { type: 'text'; body: string }
  | {
      type: MediaType;
      mediaId: string;
      mimeType?: string;
      caption?: string;
      filename?: string;
      sha256?: string;
      /** Audio recorded with the voice-note button. */
      voice?: boolean;
      animated?: boolean;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | { type: 'contacts'; contacts: SharedContact[] }
  | { type: 'interactive'; replyType: 'button_reply' | 'list_reply'; id: string; title: string; description?: string }
  | { type: 'button'; text: string; payload?: string }
  /** `emoji` absent means the customer removed their reaction. */
  | { type: 'reaction'; emoji?: string; reactedWamid: string }
  | { type: 'order'; catalogId: string; items: OrderItem[]; text?: string }
  /**
   * `user_changed_number` carries the new number (`newWaId`); `user_changed_user_id` the new BSUID
   * (`newUserId`). Meta sends these without a contacts array.
   */
  | { type: 'system'; body: string; systemType?: string; newWaId?: string; newUserId?: string }
  /** `originalType` is the message's `type` as sent (`''` if it had none). */
  | { type: 'unsupported'; originalType: string; reason?: string };

export interface AdReferral {
  sourceType?: string;
  sourceId?: string;
  sourceUrl?: string;
  headline?: string;
  body?: string;
}

export interface InboundMessage {
  wamid: string;
  /** The sender: a BSUID, a phone number (wa_id), or both, with their username if they have one. */
  customer: CustomerIds;
  profileName?: string;
  /** Absent for On-Premises deliveries, which carry no metadata. */
  phoneNumberId?: string;
  /** WhatsApp Business Account id (Cloud `entry.id`). */
  wabaId?: string;
  timestamp: Date;
  /** The message this one replies to (or whose button was tapped). */
  contextWamid?: string;
  referredProduct?: { catalogId: string; productRetailerId: string };
  forwarded?: boolean;
  /** Set when the customer came from a Click to WhatsApp ad or post. */
  referral?: AdReferral;
  content: MessageContent;
}

export interface WhatsAppErrorDetail {
  code: number;
  title: string;
  message?: string;
  details?: string;
}

export interface MessageStatus {
  wamid: string;
  /** 'sent' | 'delivered' | 'read' | 'failed', or a newer value passed through. */
  status: string;
  timestamp: Date;
  /** Whom our message went to: their number, their BSUID, or both. */
  recipient: CustomerIds;
  phoneNumberId?: string;
  wabaId?: string;
  errors: WhatsAppErrorDetail[];
  conversation?: { id?: string; expiresAt?: Date; originType?: string };
  pricing?: { billable?: boolean; category?: string; model?: string };
}

export interface TemplateStatusUpdate {
  wabaId: string;
  templateId: string;
  templateName: string;
  language: string;
  /** APPROVED, REJECTED, PENDING, PAUSED, DISABLED, FLAGGED, ... as sent. */
  event: string;
  /** Meta's reason code; absent when Meta says "NONE" or nothing. */
  reason?: string;
  /** Extra explanation Meta sends for pauses and disables. */
  otherInfo?: { title?: string; description?: string };
}

/** Meta's `user_id_update`: a customer's BSUID changed (as it does when they change their number). */
export interface UserIdUpdate {
  previousUserId: string;
  userId: string;
  /** The number, where the customer shares it. */
  phone?: string;
  phoneNumberId?: string;
}

/** Meta's `user_preferences`: a customer stopped or resumed marketing messages. */
export interface UserPreference {
  customer: CustomerIds;
  /** `marketing_messages` today; kept as sent. */
  category: string;
  /** `stop` or `resume`, or a newer value passed through. */
  value: string;
  detail?: string;
  at: Date;
  phoneNumberId?: string;
}

/** What identifies a template in Meta's template webhooks. */
interface TemplateRef {
  wabaId: string;
  templateId: string;
  templateName: string;
  language: string;
}

/**
 * `template_category_update`. A completed change carries `previous_category` and `new_category`;
 * an impending one `correct_category` (what it becomes at `category_update_timestamp`) and
 * `new_category` (what it still is).
 */
export type TemplateCategoryUpdate = TemplateRef &
  ({ stage: 'done'; previousCategory?: string; newCategory: string } | { stage: 'planned'; currentCategory?: string; correctCategory: string; effectiveAt?: Date });

/** `message_template_quality_update`: GREEN, YELLOW, RED or UNKNOWN as sent. */
export interface TemplateQualityUpdate extends TemplateRef {
  previousScore?: string;
  newScore: string;
}

export type InboundEvent =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'user_id_update'; update: UserIdUpdate }
  | { kind: 'user_preference'; preference: UserPreference }
  | { kind: 'status'; status: MessageStatus }
  | { kind: 'template_status'; update: TemplateStatusUpdate }
  | { kind: 'template_category'; update: TemplateCategoryUpdate }
  | { kind: 'template_quality'; update: TemplateQualityUpdate }
  | { kind: 'error'; errors: WhatsAppErrorDetail[]; phoneNumberId?: string; wabaId?: string }
  /** A field we do not handle: acknowledged and kept for an operator, never refused. */
  | { kind: 'ignored'; field: string; wabaId?: string; value: unknown };

export type WebhookParseResult = { ok: true; events: InboundEvent[] } | { ok: false; reason: string };

// ---------- zod schemas: envelope (strict) ----------

const nonEmpty = z.string().min(1);
const unixSeconds = z.string().regex(/^\d{1,12}$/, 'expected unix seconds as a string of digits');
const toDate = (seconds: string): Date => new Date(Number(seconds) * 1000);
const optionalString = z.string().optional().catch(undefined);
/** A customer's number and BSUID are checked: they end up in Slack and in the requests we send. */
const waId = z.string().refine(isWaId, WA_ID_FORMAT);
const bsuid = z.string().refine(isBsuid, BSUID_FORMAT);
const IDENTIFIER_REQUIRED = 'neither a phone number nor a business-scoped user ID (BSUID) identifies the customer';

const errorSchema = z.object({
  code: z.number().int(),
  title: z.string().optional().catch(undefined),
  message: optionalString,
  // Cloud puts details under error_data; On-Premises puts them at the top level.
  details: optionalString,
  error_data: z.object({ details: optionalString }).optional().catch(undefined),
});
type RawError = z.infer<typeof errorSchema>;

const contextSchema = z
  .object({
    id: optionalString,
    forwarded: z.boolean().optional().catch(undefined),
    frequently_forwarded: z.boolean().optional().catch(undefined),
    referred_product: z
      .object({ catalog_id: z.string(), product_retailer_id: z.string() })
      .optional()
      .catch(undefined),
  })
  .optional()
  .catch(undefined);

const referralSchema = z
  .object({
    source_type: optionalString,
    source_id: optionalString,
    source_url: optionalString,
    headline: optionalString,
    body: optionalString,
  })
  .optional()
  .catch(undefined);

const messageEnvelope = z
  .object({
    id: nonEmpty,
    /** The number, only while the customer shares it. */
    from: waId.optional(),
    /** The BSUID, in every message since April 2026. */
    from_user_id: bsuid.optional(),
    from_parent_user_id: bsuid.optional().catch(undefined),
    timestamp: unixSeconds,
    type: optionalString,
    context: contextSchema,
    referral: referralSchema,
    errors: z.array(z.unknown()).optional().catch(undefined),
  })
  // Keeps the type-specific object (text, image, ...) for the content parsers.
  .loose()
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, { error: `${IDENTIFIER_REQUIRED} (from, from_user_id)`, path: ['from'] });
type RawMessage = z.infer<typeof messageEnvelope>;

const statusSchema = z.object({
  id: nonEmpty,
  status: nonEmpty,
  timestamp: unixSeconds,
  recipient_id: waId.optional(),
  recipient_user_id: bsuid.optional(),
  recipient_parent_user_id: bsuid.optional().catch(undefined),
  errors: z.array(errorSchema).optional(),
  conversation: z
    .object({
      id: optionalString,
      expiration_timestamp: unixSeconds.optional().catch(undefined),
      origin: z.object({ type: optionalString }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  pricing: z
    .object({
      billable: z.boolean().optional().catch(undefined),
      category: optionalString,
      pricing_model: optionalString,
    })
    .optional()
    .catch(undefined),
}).refine((st) => st.recipient_id !== undefined || st.recipient_user_id !== undefined, {
  error: `${IDENTIFIER_REQUIRED} (recipient_id, recipient_user_id)`,
  path: ['recipient_id'],
});
type RawStatus = z.infer<typeof statusSchema>;

// Meta's page puts the username in `profile`; the issue that asked for it saw it beside `user_id`: both are read.
const contactProfile = z.object({
  wa_id: waId.optional().catch(undefined),
  user_id: bsuid.optional().catch(undefined),
  parent_user_id: bsuid.optional().catch(undefined),
  username: optionalString,
  profile: z.object({ name: optionalString, username: optionalString }).optional().catch(undefined),
});
type RawContact = z.infer<typeof contactProfile>;

const baseValue = z.object({
  contacts: z.array(z.unknown()).optional().catch(undefined),
  messages: z.array(messageEnvelope).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(errorSchema).optional(),
});
type RawValue = z.infer<typeof baseValue>;

const cloudMessagesValue = baseValue.extend({
  metadata: z.object({ phone_number_id: nonEmpty }),
});

/**
 * `user_id_update`. Meta's reference for this field was not available to us; this is the shape
 * partners document (the BSUID before and after, the number where shared). Checked like the rest.
 */
const userIdUpdateValue = z.object({
  metadata: z.object({ phone_number_id: nonEmpty }).optional().catch(undefined),
  user_id_update: z
    .array(
      z.object({
        wa_id: waId.optional(),
        user_id: z.object({ previous: bsuid, current: bsuid }),
      }),
    )
    .min(1),
});

const templateStatusValue = z.object({
  event: nonEmpty,
  message_template_id: z.union([nonEmpty, z.number().int().nonnegative()]),
  message_template_name: z.string(),
  message_template_language: z.string(),
  reason: z.string().nullish().catch(undefined),
  other_info: z
    .object({ title: optionalString, description: optionalString })
    .optional()
    .catch(undefined),
});

/** `user_preferences` (Meta's webhook reference): the customer by wa_id and, since BSUIDs, user_id. */
const userPreferencesValue = z.object({
  metadata: z.object({ phone_number_id: nonEmpty }).optional().catch(undefined),
  contacts: z.array(z.unknown()).optional().catch(undefined),
  user_preferences: z
    .array(
      z
        .object({
          wa_id: waId.optional(),
          user_id: bsuid.optional(),
          category: nonEmpty,
          value: nonEmpty,
          detail: optionalString,
          // Meta documents an integer; digits in a string are taken as well.
          timestamp: z.union([z.number().int().nonnegative(), unixSeconds]),
        })
        .refine((p) => p.wa_id !== undefined || p.user_id !== undefined, {
          error: `${IDENTIFIER_REQUIRED} (wa_id, user_id)`,
          path: ['wa_id'],
        }),
    )
    .min(1),
});

const templateRefValue = {
  message_template_id: z.union([nonEmpty, z.number().int().nonnegative()]),
  message_template_name: z.string(),
  message_template_language: z.string(),
};

const templateCategoryValue = z.object({
  ...templateRefValue,
  new_category: nonEmpty,
  previous_category: optionalString,
  correct_category: optionalString,
  category_update_timestamp: z.number().int().nonnegative().optional().catch(undefined),
});

const templateQualityValue = z.object({
  ...templateRefValue,
  new_quality_score: nonEmpty,
  previous_quality_score: optionalString,
});

const cloudEnvelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: nonEmpty,
      changes: z.array(z.object({ field: nonEmpty, value: z.unknown() })),
    }),
  ),
});

// ---------- zod schemas: message content (lenient, per type) ----------

const mediaSchema = (type: MediaType) =>
  z
    .object({
      id: nonEmpty,
      mime_type: optionalString,
      caption: optionalString,
      filename: optionalString,
      sha256: optionalString,
      voice: z.boolean().optional().catch(undefined),
      animated: z.boolean().optional().catch(undefined),
    })
    .transform(
      (m): MessageContent => ({
        type,
        mediaId: m.id,
        mimeType: m.mime_type,
        caption: m.caption,
        filename: m.filename,
        sha256: m.sha256,
        voice: m.voice,
        animated: m.animated,
      }),
    );

const sharedContactSchema = z
  .object({
    name: z
      .object({ formatted_name: optionalString, first_name: optionalString, last_name: optionalString })
      .optional()
      .catch(undefined),
    org: z.object({ company: optionalString }).optional().catch(undefined),
    phones: z
      .array(z.object({ phone: optionalString, wa_id: optionalString, type: optionalString }))
      .optional()
      .catch(undefined),
    emails: z.array(z.object({ email: optionalString, type: optionalString })).optional().catch(undefined),
  })
  .transform((c): SharedContact => {
    const name =
      c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ');
    const phones: SharedContact['phones'] = [];
    for (const p of c.phones ?? []) {
      const phone = p.phone ?? p.wa_id;
      if (phone) phones.push({ phone, waId: p.wa_id, type: p.type });
    }
    const emails: SharedContact['emails'] = [];
    for (const e of c.emails ?? []) if (e.email) emails.push({ email: e.email, type: e.type });
    return { name, phones, emails, organization: c.org?.company };
  });

const interactiveSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('button_reply'),
      button_reply: z.object({ id: z.string(), title: z.string() }),
    }),
    z.object({
      type: z.literal('list_reply'),
      list_reply: z.object({ id: z.string(), title: z.string(), description: optionalString }),
    }),
  ])
  .transform((i): MessageContent =>
    i.type === 'button_reply'
      ? { type: 'interactive', replyType: 'button_reply', id: i.button_reply.id, title: i.button_reply.title }
      : {
          type: 'interactive',
          replyType: 'list_reply',
          id: i.list_reply.id,
          title: i.list_reply.title,
          description: i.list_reply.description,
        },
  );

type ContentSchema = z.ZodType<MessageContent, unknown>;

/**
 * Parsers of the type-specific object (`message[type]`). A Map, not an object
 * literal, so a type such as "constructor" cannot hit a prototype property.
 */
const CONTENT: ReadonlyMap<string, ContentSchema> = new Map<string, ContentSchema>([
  ['text', z.object({ body: z.string() }).transform((t): MessageContent => ({ type: 'text', body: t.body }))],
  ['image', mediaSchema('image')],
  ['audio', mediaSchema('audio')],
  ['video', mediaSchema('video')],
  ['document', mediaSchema('document')],
  ['sticker', mediaSchema('sticker')],
  // On-Premises sends voice notes as their own type.
  [
    'voice',
    mediaSchema('audio').transform((m): MessageContent => (m.type === 'audio' ? { ...m, voice: true } : m)),
  ],
  [
    'location',
    z
      .object({
        latitude: z.number().finite(),
        longitude: z.number().finite(),
        name: optionalString,
        address: optionalString,
        url: optionalString,
      })
      .transform((l): MessageContent => ({ type: 'location', ...l })),
  ],
  [
    'contacts',
    z.array(sharedContactSchema).transform((contacts): MessageContent => ({ type: 'contacts', contacts })),
  ],
  ['interactive', interactiveSchema],
  [
    'button',
    z
      .object({ text: z.string(), payload: optionalString })
      .transform((b): MessageContent => ({ type: 'button', text: b.text, payload: b.payload })),
  ],
  [
    'reaction',
    z
      .object({ message_id: nonEmpty, emoji: optionalString })
      .transform(
        (r): MessageContent => ({ type: 'reaction', reactedWamid: r.message_id, emoji: r.emoji || undefined }),
      ),
  ],
  [
    'order',
    z
      .object({
        catalog_id: z.string(),
        text: optionalString,
        product_items: z.array(
          z.object({
            product_retailer_id: z.string(),
            quantity: z.number().int().nonnegative(),
            item_price: z.number().finite(),
            currency: z.string(),
          }),
        ),
      })
      .transform(
        (o): MessageContent => ({
          type: 'order',
          catalogId: o.catalog_id,
          text: o.text || undefined,
          items: o.product_items.map((i) => ({
            productRetailerId: i.product_retailer_id,
            quantity: i.quantity,
            itemPrice: i.item_price,
            currency: i.currency,
          })),
        }),
      ),
  ],
  [
    'system',
    z
      .object({
        body: z.string(),
        type: optionalString,
        // A number or BSUID of the wrong format is dropped: it would be linked to the customer.
        wa_id: waId.optional().catch(undefined),
        new_wa_id: waId.optional().catch(undefined),
        user_id: bsuid.optional().catch(undefined),
      })
      .transform(
        (s): MessageContent => ({
          type: 'system',
          body: s.body,
          systemType: s.type,
          // Cloud says wa_id, On-Premises new_wa_id.
          newWaId: s.wa_id ?? s.new_wa_id,
          newUserId: s.user_id,
        }),
      ),
  ],
]);

// ---------- conversion ----------

/**
 * What a malformed delivery is refused with (its 400, and the reason a message is unsupported), worded
 * briefly: "Required", "Expected string, received number". zod 4's own "Invalid input: expected …"
 * says no more at greater length; issues our schemas word themselves keep their words.
 */
function webhookIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'Required' : `Expected ${issue.expected}, received ${kindOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid literal value, expected ${JSON.stringify(issue.values[0])}`
        : `Invalid enum value. Expected ${issue.values.map((v) => `'${String(v)}'`).join(' | ')}, received ${JSON.stringify(issue.input)}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'String must not be empty' : undefined;
    default:
      return undefined;
  }
}

function kindOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isNaN(input)) return 'NaN';
  return typeof input;
}

function formatIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      let path = prefix;
      for (const part of issue.path) path += typeof part === 'number' ? `[${part}]` : path ? `.${String(part)}` : String(part);
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

class EnvelopeError extends Error {}

function parseAt<T>(schema: z.ZodType<T, unknown>, data: unknown, path: string): T {
  const result = schema.safeParse(data, { error: webhookIssue });
  if (!result.success) throw new EnvelopeError(formatIssues(path, result.error));
  return result.data;
}

function toErrorDetail(e: RawError): WhatsAppErrorDetail {
  return { code: e.code, title: e.title ?? '', message: e.message, details: e.error_data?.details ?? e.details };
}

function reasonFromErrors(errors: unknown[] | undefined): string | undefined {
  const parts: string[] = [];
  for (const raw of errors ?? []) {
    const parsed = errorSchema.safeParse(raw);
    if (!parsed.success) continue;
    const e = toErrorDetail(parsed.data);
    const text = [e.title || e.message, e.details].filter(Boolean).join(': ');
    if (text) parts.push(text);
  }
  return parts.length ? parts.join('; ') : undefined;
}

function toContent(raw: RawMessage): MessageContent {
  const originalType = raw.type ?? '';
  const schema = CONTENT.get(originalType);
  if (!schema) return { type: 'unsupported', originalType, reason: reasonFromErrors(raw.errors) };
  const parsed = schema.safeParse(raw[originalType], { error: webhookIssue });
  if (parsed.success) return parsed.data;
  return {
    type: 'unsupported',
    originalType,
    reason: reasonFromErrors(raw.errors) ?? `malformed ${formatIssues(originalType, parsed.error)}`,
  };
}

interface Routing {
  phoneNumberId?: string;
  wabaId?: string;
}

interface Contacts {
  byId: Map<string, RawContact>;
  /** A single profile belongs to the sender even if its identifiers differ in format. */
  only?: RawContact;
}

function contactsOf(contacts: unknown[] | undefined): Contacts {
  const byId = new Map<string, RawContact>();
  const all: RawContact[] = [];
  for (const raw of contacts ?? []) {
    const parsed = contactProfile.safeParse(raw);
    if (!parsed.success) continue;
    all.push(parsed.data);
    if (parsed.data.user_id) byId.set(parsed.data.user_id, parsed.data);
    if (parsed.data.wa_id) byId.set(parsed.data.wa_id, parsed.data);
  }
  return { byId, only: all.length === 1 ? all[0] : undefined };
}

/** The sender's identifiers: the message's own, completed from its contact (a number shared there, the username). */
function senderOf(raw: RawMessage, contacts: Contacts): { customer: CustomerIds; profileName?: string } {
  const contact = (raw.from_user_id && contacts.byId.get(raw.from_user_id)) || (raw.from && contacts.byId.get(raw.from)) || contacts.only;
  const phone = raw.from ?? contact?.wa_id;
  const userId = raw.from_user_id ?? contact?.user_id;
  const parentUserId = raw.from_parent_user_id ?? contact?.parent_user_id;
  const username = contact?.profile?.username ?? contact?.username;
  return {
    customer: {
      ...(phone ? { phone } : {}),
      ...(userId ? { userId } : {}),
      ...(parentUserId ? { parentUserId } : {}),
      ...(username ? { username } : {}),
    },
    profileName: contact?.profile?.name || undefined,
  };
}

function toMessage(raw: RawMessage, routing: Routing, contacts: Contacts): InboundMessage {
  const product = raw.context?.referred_product;
  const forwarded = raw.context?.forwarded || raw.context?.frequently_forwarded;
  const referral = raw.referral;
  return {
    wamid: raw.id,
    ...senderOf(raw, contacts),
    phoneNumberId: routing.phoneNumberId,
    wabaId: routing.wabaId,
    timestamp: toDate(raw.timestamp),
    contextWamid: raw.context?.id,
    referredProduct: product
      ? { catalogId: product.catalog_id, productRetailerId: product.product_retailer_id }
      : undefined,
    forwarded: forwarded || undefined,
    referral: referral
      ? {
          sourceType: referral.source_type,
          sourceId: referral.source_id,
          sourceUrl: referral.source_url,
          headline: referral.headline,
          body: referral.body,
        }
      : undefined,
    content: toContent(raw),
  };
}

function toStatus(raw: RawStatus, routing: Routing): MessageStatus {
  const conversation = raw.conversation;
  const pricing = raw.pricing;
  return {
    wamid: raw.id,
    status: raw.status,
    timestamp: toDate(raw.timestamp),
    recipient: {
      ...(raw.recipient_id ? { phone: raw.recipient_id } : {}),
      ...(raw.recipient_user_id ? { userId: raw.recipient_user_id } : {}),
      ...(raw.recipient_parent_user_id ? { parentUserId: raw.recipient_parent_user_id } : {}),
    },
    phoneNumberId: routing.phoneNumberId,
    wabaId: routing.wabaId,
    errors: (raw.errors ?? []).map(toErrorDetail),
    conversation: conversation
      ? {
          id: conversation.id,
          expiresAt: conversation.expiration_timestamp ? toDate(conversation.expiration_timestamp) : undefined,
          originType: conversation.origin?.type,
        }
      : undefined,
    pricing: pricing
      ? { billable: pricing.billable, category: pricing.category, model: pricing.pricing_model }
      : undefined,
  };
}

/** Order within one value: messages, then statuses, then errors. */
function eventsFromValue(value: RawValue, routing: Routing): InboundEvent[] {
  const events: InboundEvent[] = [];
  const contacts = contactsOf(value.contacts);
  for (const m of value.messages ?? []) events.push({ kind: 'message', message: toMessage(m, routing, contacts) });
  for (const s of value.statuses ?? []) events.push({ kind: 'status', status: toStatus(s, routing) });
  if (value.errors?.length) {
    events.push({ kind: 'error', errors: value.errors.map(toErrorDetail), ...routing });
  }
  return events;
}

function toTemplateUpdate(wabaId: string, v: z.infer<typeof templateStatusValue>): TemplateStatusUpdate {
  const reason = v.reason && v.reason.toUpperCase() !== 'NONE' ? v.reason : undefined;
  return {
    wabaId,
    templateId: String(v.message_template_id),
    templateName: v.message_template_name,
    language: v.message_template_language,
    event: v.event,
    reason,
    otherInfo: v.other_info,
  };
}

function templateRef(wabaId: string, v: { message_template_id: string | number; message_template_name: string; message_template_language: string }): TemplateRef {
  return { wabaId, templateId: String(v.message_template_id), templateName: v.message_template_name, language: v.message_template_language };
}

function toCategoryUpdate(wabaId: string, v: z.infer<typeof templateCategoryValue>): TemplateCategoryUpdate {
  const ref = templateRef(wabaId, v);
  // An impending change names the category to come; its new_category is the one still in force.
  if (v.correct_category) {
    return {
      ...ref,
      stage: 'planned',
      currentCategory: v.new_category,
      correctCategory: v.correct_category,
      ...(v.category_update_timestamp ? { effectiveAt: new Date(v.category_update_timestamp * 1000) } : {}),
    };
  }
  return { ...ref, stage: 'done', newCategory: v.new_category, ...(v.previous_category ? { previousCategory: v.previous_category } : {}) };
}

function toPreferences(value: z.infer<typeof userPreferencesValue>): InboundEvent[] {
  const contacts = contactsOf(value.contacts);
  return value.user_preferences.map((p): InboundEvent => {
    const contact = (p.user_id && contacts.byId.get(p.user_id)) || (p.wa_id && contacts.byId.get(p.wa_id)) || contacts.only;
    const phone = p.wa_id ?? contact?.wa_id;
    const userId = p.user_id ?? contact?.user_id;
    return {
      kind: 'user_preference',
      preference: {
        customer: { ...(phone ? { phone } : {}), ...(userId ? { userId } : {}) },
        category: p.category,
        value: p.value,
        ...(p.detail ? { detail: p.detail } : {}),
        at: new Date(Number(p.timestamp) * 1000),
        ...(value.metadata ? { phoneNumberId: value.metadata.phone_number_id } : {}),
      },
    };
  });
}

function guard(run: () => InboundEvent[]): WebhookParseResult {
  try {
    return { ok: true, events: run() };
  } catch (error) {
    if (error instanceof EnvelopeError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Cloud API shape: `{ object: 'whatsapp_business_account', entry: [{ id, changes: [{ field, value }] }] }`. */
export function parseCloudWebhook(body: unknown): WebhookParseResult {
  return guard(() => {
    const envelope = parseAt(cloudEnvelope, body, '');
    const events: InboundEvent[] = [];
    envelope.entry.forEach((entry, e) => {
      entry.changes.forEach((change, c) => {
        const path = `entry[${e}].changes[${c}].value`;
        if (change.field === 'messages') {
          const value = parseAt(cloudMessagesValue, change.value, path);
          events.push(...eventsFromValue(value, { phoneNumberId: value.metadata.phone_number_id, wabaId: entry.id }));
        } else if (change.field === 'user_id_update') {
          const value = parseAt(userIdUpdateValue, change.value, path);
          for (const u of value.user_id_update) {
            events.push({
              kind: 'user_id_update',
              update: {
                previousUserId: u.user_id.previous,
                userId: u.user_id.current,
                ...(u.wa_id ? { phone: u.wa_id } : {}),
                ...(value.metadata ? { phoneNumberId: value.metadata.phone_number_id } : {}),
              },
            });
          }
        } else if (change.field === 'user_preferences') {
          events.push(...toPreferences(parseAt(userPreferencesValue, change.value, path)));
        } else if (change.field === 'message_template_status_update') {
          const value = parseAt(templateStatusValue, change.value, path);
          events.push({ kind: 'template_status', update: toTemplateUpdate(entry.id, value) });
        } else if (change.field === 'template_category_update') {
          events.push({ kind: 'template_category', update: toCategoryUpdate(entry.id, parseAt(templateCategoryValue, change.value, path)) });
        } else if (change.field === 'message_template_quality_update') {
          const value = parseAt(templateQualityValue, change.value, path);
          events.push({
            kind: 'template_quality',
            update: {
              ...templateRef(entry.id, value),
              newScore: value.new_quality_score,
              ...(value.previous_quality_score ? { previousScore: value.previous_quality_score } : {}),
            },
          });
        } else {
          events.push({ kind: 'ignored', field: change.field, wabaId: entry.id, value: change.value });
        }
      });
    });
    return events;
  });
}
