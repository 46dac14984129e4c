import { z } from 'zod';
import {
  type ApiKind,
  DEFAULT_BSP_KEY_HEADER,
  unknownKind,
  apiUrl,
  type ErrorEnvelope,
  HttpClient,
  isAllowedUrl,
  mediaMessage,
  type RemoteTemplate,
  remoteTemplateSchema,
  sentSchema,
  templateMessage,
  textMessage,
  interactiveMessage,
  wamidOf,
  WhatsAppApiError,
} from './http';
import type {
  CreatedTemplate,
  OutgoingMedia,
  OutgoingTemplate,
  PhoneNumberInfo,
  ProviderCredentials,
  WhatsAppProvider,
} from './provider';

/** Graph API error envelope (components/schemas/GraphAPIError in Meta's OpenAPI). */
const graphErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int().optional(),
    error_subcode: z.number().int().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
    error_data: z.object({ details: z.string().optional() }).loose().optional(),
    fbtrace_id: z.string().optional(),
    is_transient: z.boolean().optional(),
  }),
});

export function parseGraphError(json: unknown): ErrorEnvelope | undefined {
  const parsed = graphErrorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const e = parsed.data.error;
  return {
    message: e.message ?? 'unknown error',
    code: e.code,
    subcode: e.error_subcode,
    type: e.type,
    title: e.error_user_title,
    details: e.error_user_msg ?? e.error_data?.details,
    fbtraceId: e.fbtrace_id,
    // Only widen: a transient flag makes it retryable, its absence leaves the default rules.
    retryable: e.is_transient === true ? true : undefined,
  };
}

const phoneNumberSchema = z.object({
  id: z.string(),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
});

const uploadedSchema = z.object({ id: z.string().min(1) });

const mediaInfoSchema = z.object({
  url: z.url(),
  mime_type: z.string().min(1),
  sha256: z.string().optional(),
  file_size: z.union([z.number(), z.string()]).optional(),
  id: z.string().optional(),
});

const templatePageSchema = z.object({
  data: z.array(remoteTemplateSchema),
  paging: z
    .object({
      cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
      next: z.url().optional(),
    })
    .optional(),
});

/** 360dialog's `GET /health_status` (Meta's health_status object): any well-formed answer proves URL and key. */
const healthStatusSchema = z.object({ health_status: z.object({ can_send_message: z.string() }).loose() });

const createdTemplateSchema = z.object({ id: z.string().min(1), status: z.string(), category: z.string().optional() });
const deletedSchema = z.object({ success: z.boolean() });

const TEMPLATE_FIELDS = 'id,name,language,status,category,components,rejected_reason,quality_score,parameter_format';
const TEMPLATE_PAGE_SIZE = '100';
// A WABA holds at most a few thousand templates; this only stops a server that pages forever.
const MAX_TEMPLATE_PAGES = 100;

/**
 * The WhatsApp Cloud API, from Meta (base URL including the version, e.g.
 * `https://graph.facebook.com/v23.0`, bearer token) or through a BSP (its base URL, its API key
 * in its own header). A BSP serves the same payloads; where it knows the phone number from the
 * key (360dialog), the phone number ID is left out of the path.
 */
export class CloudApiProvider implements WhatsAppProvider {
  readonly kind: ApiKind;
  readonly supportsTemplateManagement: boolean;
  private readonly http: HttpClient;
  private readonly base: string;
  private readonly phoneNumberId?: string;
  private readonly wabaId?: string;

  constructor(creds: ProviderCredentials, timeoutMs: number) {
    this.kind = creds.kind;
    if (creds.kind === 'cloud' && !creds.phoneNumberId) throw new TypeError('Cloud API credentials need a phone number ID');
    assertHttpUrl(creds.apiUrl);
    this.base = creds.apiUrl;
    this.phoneNumberId = creds.phoneNumberId || undefined;
    this.wabaId = creds.wabaId || undefined;
    this.supportsTemplateManagement = this.wabaId !== undefined;
    this.http = new HttpClient({
      token: creds.token,
      timeoutMs,
      authHeaders: authHeaders(creds),
      parseErrorEnvelope: parseGraphError,
    });
  }

  /** Path segments of the phone number's own calls (messages, media). */
  private phonePath(): string[] {
    return this.phoneNumberId ? [this.phoneNumberId] : [];
  }

  async verifyCredentials(opts: { timeoutMs?: number } = {}): Promise<PhoneNumberInfo> {
    if (!this.phoneNumberId) {
      // A BSP that knows the number from its key: its health status is the cheap call that needs the key.
      await this.http.json({ method: 'GET', url: apiUrl(this.base, ['health_status']), timeoutMs: opts.timeoutMs }, healthStatusSchema);
      return {};
    }
    const phone = await this.http.json(
      {
        method: 'GET',
        url: apiUrl(this.base, [this.phoneNumberId], { fields: 'display_phone_number,verified_name,quality_rating' }),
        timeoutMs: opts.timeoutMs,
      },
      phoneNumberSchema,
    );
    return {
      displayPhoneNumber: phone.display_phone_number,
      verifiedName: phone.verified_name,
      qualityRating: phone.quality_rating,
    };
  }

  async sendText(to: string, body: string, opts: { replyToWamid?: string } = {}): Promise<{ wamid: string }> {
    return this.sendMessage(textMessage(to, body, opts.replyToWamid));
  }

  async sendInteractive(to: string, interactive: Record<string, unknown>): Promise<{ wamid: string }> {
    return this.sendMessage(interactiveMessage(to, interactive));
  }

  async sendMedia(to: string, media: OutgoingMedia, opts: { replyToWamid?: string } = {}): Promise<{ wamid: string }> {
    return this.sendMessage(mediaMessage(to, media, opts.replyToWamid));
  }

  async sendTemplate(to: string, template: OutgoingTemplate): Promise<{ wamid: string }> {
    // Templates imported long ago may carry a namespace; the Cloud API rejects unknown fields.
    return this.sendMessage(templateMessage(to, { ...template, namespace: undefined }));
  }

  async uploadMedia(data: Buffer, mimeType: string, filename: string): Promise<{ mediaId: string }> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', mimeType);
    form.append('file', new Blob([data], { type: mimeType }), filename);
    const uploaded = await this.http.json(
      { method: 'POST', url: apiUrl(this.base, [...this.phonePath(), 'media']), body: form },
      uploadedSchema,
    );
    return { mediaId: uploaded.id };
  }

  async downloadMedia(mediaId: string): Promise<{ data: Buffer; mimeType: string }> {
    const info = await this.http.json({ method: 'GET', url: apiUrl(this.base, [mediaId]) }, mediaInfoSchema);
    const url = this.mediaUrl(new URL(info.url));
    // The bearer token goes along, so never to a plain-http address the base URL did not use.
    if (!isAllowedUrl(url, this.base)) {
      throw new WhatsAppApiError({ kind: 'invalid_response', message: 'media URL is not https' });
    }
    const res = await this.http.send({ method: 'GET', url });
    return { data: res.body, mimeType: info.mime_type };
  }

  async listTemplates(): Promise<RemoteTemplate[]> {
    const wabaId = this.requireWaba();
    const templates: RemoteTemplate[] = [];
    let url: URL | undefined = apiUrl(this.base, [wabaId, 'message_templates'], {
      fields: TEMPLATE_FIELDS,
      limit: TEMPLATE_PAGE_SIZE,
    });
    const origin = url.origin;
    for (let page = 0; url && page < MAX_TEMPLATE_PAGES; page++) {
      const body: z.output<typeof templatePageSchema> = await this.http.json({ method: 'GET', url }, templatePageSchema);
      templates.push(...body.data);
      url = body.paging?.next ? new URL(body.paging.next) : undefined;
      // paging.next is absolute; the token must not follow it to another host.
      if (url && url.origin !== origin) {
        throw new WhatsAppApiError({ kind: 'invalid_response', message: 'template paging points to another host' });
      }
    }
    return templates;
  }

  async createTemplate(body: unknown): Promise<CreatedTemplate> {
    const wabaId = this.requireWaba();
    return this.http.json(
      {
        method: 'POST',
        url: apiUrl(this.base, [wabaId, 'message_templates']),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
      createdTemplateSchema,
    );
  }

  async deleteTemplate(name: string, hsmId?: string): Promise<void> {
    const wabaId = this.requireWaba();
    const result = await this.http.json(
      { method: 'DELETE', url: apiUrl(this.base, [wabaId, 'message_templates'], { name, hsm_id: hsmId }) },
      deletedSchema,
    );
    if (!result.success) {
      throw new WhatsAppApiError({ kind: 'api', httpStatus: 200, message: 'WhatsApp did not delete the template' });
    }
  }

  private async sendMessage(message: Record<string, unknown>): Promise<{ wamid: string }> {
    const sent = await this.http.json(
      {
        method: 'POST',
        url: apiUrl(this.base, [...this.phonePath(), 'messages']),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ messaging_product: 'whatsapp', ...message }),
      },
      sentSchema,
    );
    return wamidOf(sent);
  }

  /**
   * Where the media's bytes are fetched. Meta's URL is on its own host, which takes only Meta's
   * token; a BSP serves the same path and query from its base URL, with its key (360dialog's
   * documented way), so the key never goes to another host.
   */
  private mediaUrl(url: URL): URL {
    if (this.kind === 'cloud') return url;
    const base = new URL(this.base);
    return new URL(`${url.pathname}${url.search}`, base.origin);
  }

  private requireWaba(): string {
    if (!this.wabaId) {
      throw new WhatsAppApiError({
        kind: 'unsupported',
        message: 'templates need the WhatsApp Business Account ID of this account',
      });
    }
    return this.wabaId;
  }
}

function authHeaders(creds: ProviderCredentials): Record<string, string> {
  switch (creds.kind) {
    case 'cloud':
      return { Authorization: `Bearer ${creds.token}` };
    case 'bsp':
      return { [creds.apiKeyHeader || DEFAULT_BSP_KEY_HEADER]: creds.token };
    default:
      return unknownKind(creds.kind);
  }
}

export function assertHttpUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('the WhatsApp API URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('the WhatsApp API URL must be http(s)');
}
