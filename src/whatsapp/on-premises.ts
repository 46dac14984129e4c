import { z } from 'zod';
import { assertHttpUrl } from './cloud-api';
import {
  apiUrl,
  type ErrorEnvelope,
  HttpClient,
  mediaMessage,
  type RemoteTemplate,
  remoteTemplateSchema,
  sentSchema,
  templateMessage,
  textMessage,
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

/** On-Premises API error envelope: `{ errors: [{ code, title, details }] }`. */
const onPremErrorSchema = z.object({
  errors: z
    .array(
      z.object({
        code: z.number().int().optional(),
        title: z.string().optional(),
        details: z.string().optional(),
      }),
    )
    .min(1),
});

export function parseOnPremError(json: unknown): ErrorEnvelope | undefined {
  const parsed = onPremErrorSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const [first] = parsed.data.errors;
  if (!first) return undefined;
  return {
    message: [first.title, first.details].filter(Boolean).join(': ') || 'unknown error',
    code: first.code,
    title: first.title,
    details: first.details,
  };
}

const nodeHealthSchema = z.object({ gateway_status: z.string() }).passthrough();
const healthSchema = z.object({
  // A single node answers with its own status; a multi-connect cluster answers per node.
  health: z.union([nodeHealthSchema, z.record(nodeHealthSchema)]),
});

const uploadedSchema = z.object({ media: z.array(z.object({ id: z.string().min(1) })).min(1) });

const templateListSchema = z.object({
  waba_templates: z.array(remoteTemplateSchema),
  total: z.number().int().optional(),
});

const TEMPLATE_PAGE_SIZE = 250;
const MAX_TEMPLATE_PAGES = 100;

/**
 * WhatsApp Business On-Premises API, directly or through a BSP that exposes it
 * (360dialog, ...). Template management happens in the BSP's own console.
 */
export class OnPremisesProvider implements WhatsAppProvider {
  readonly kind = 'onprem' as const;
  readonly supportsTemplateManagement = false;
  private readonly http: HttpClient;
  private readonly base: string;

  constructor(creds: ProviderCredentials, timeoutMs: number) {
    assertHttpUrl(creds.apiUrl);
    this.base = creds.apiUrl;
    const authHeaders: Record<string, string> = { Authorization: `Bearer ${creds.token}` };
    // 360dialog reads its API key from its own header rather than Authorization.
    if (/(^|\.)360dialog\.io$/i.test(new URL(creds.apiUrl).hostname)) authHeaders['D360-API-KEY'] = creds.token;
    this.http = new HttpClient({ token: creds.token, timeoutMs, authHeaders, parseErrorEnvelope: parseOnPremError });
  }

  async verifyCredentials(opts: { timeoutMs?: number } = {}): Promise<PhoneNumberInfo> {
    const { health } = await this.http.json(
      { method: 'GET', url: apiUrl(this.base, ['v1', 'health']), timeoutMs: opts.timeoutMs },
      healthSchema,
    );
    const statuses =
      typeof health.gateway_status === 'string'
        ? [health.gateway_status]
        : Object.values(health).flatMap((node) => (isNodeHealth(node) ? [node.gateway_status] : []));
    // In a cluster the secondary master is normally disconnected; one connected node is enough.
    if (!statuses.includes('connected')) {
      const status = statuses.join(', ') || 'unknown';
      throw new WhatsAppApiError({
        kind: 'api',
        httpStatus: 200,
        message: `WhatsApp gateway is not connected (gateway_status: ${status})`,
        details: status,
      });
    }
    return {};
  }

  async sendText(to: string, body: string, opts: { replyToWamid?: string } = {}): Promise<{ wamid: string }> {
    return this.sendMessage(textMessage(to, body, opts.replyToWamid));
  }

  async sendMedia(to: string, media: OutgoingMedia, opts: { replyToWamid?: string } = {}): Promise<{ wamid: string }> {
    return this.sendMessage(mediaMessage(to, media, opts.replyToWamid));
  }

  async sendTemplate(to: string, template: OutgoingTemplate): Promise<{ wamid: string }> {
    return this.sendMessage(templateMessage(to, template));
  }

  async uploadMedia(data: Buffer, mimeType: string, _filename: string): Promise<{ mediaId: string }> {
    const uploaded = await this.http.json(
      { method: 'POST', url: apiUrl(this.base, ['v1', 'media']), headers: { 'Content-Type': mimeType }, body: data },
      uploadedSchema,
    );
    const [first] = uploaded.media;
    if (!first) throw new WhatsAppApiError({ kind: 'invalid_response', message: 'no media id in the answer' });
    return { mediaId: first.id };
  }

  async downloadMedia(mediaId: string): Promise<{ data: Buffer; mimeType: string }> {
    const res = await this.http.send({ method: 'GET', url: apiUrl(this.base, ['v1', 'media', mediaId]) });
    const mimeType = res.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream';
    return { data: res.body, mimeType };
  }

  async listTemplates(): Promise<RemoteTemplate[]> {
    const templates: RemoteTemplate[] = [];
    for (let page = 0; page < MAX_TEMPLATE_PAGES; page++) {
      const url = apiUrl(this.base, ['v1', 'configs', 'templates'], {
        limit: String(TEMPLATE_PAGE_SIZE),
        offset: String(templates.length),
      });
      let body: z.output<typeof templateListSchema>;
      try {
        body = await this.http.json({ method: 'GET', url }, templateListSchema);
      } catch (e) {
        if (e instanceof WhatsAppApiError && e.kind === 'api' && e.httpStatus === 404) {
          throw new WhatsAppApiError({ kind: 'unsupported', httpStatus: 404, message: 'this provider does not list templates' });
        }
        throw e;
      }
      templates.push(...body.waba_templates);
      // Servers that ignore limit/offset send everything at once and no total.
      const total = body.total ?? templates.length;
      if (body.waba_templates.length === 0 || templates.length >= total) break;
    }
    return templates;
  }

  async createTemplate(_body: unknown): Promise<CreatedTemplate> {
    throw unsupportedTemplates();
  }

  async deleteTemplate(_name: string, _hsmId?: string): Promise<void> {
    throw unsupportedTemplates();
  }

  private async sendMessage(message: Record<string, unknown>): Promise<{ wamid: string }> {
    const sent = await this.http.json(
      {
        method: 'POST',
        url: apiUrl(this.base, ['v1', 'messages']),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(message),
      },
      sentSchema,
    );
    return wamidOf(sent);
  }
}

function isNodeHealth(value: unknown): value is z.output<typeof nodeHealthSchema> {
  return nodeHealthSchema.safeParse(value).success;
}

function unsupportedTemplates(): WhatsAppApiError {
  return new WhatsAppApiError({
    kind: 'unsupported',
    message: 'the On-Premises API cannot create or delete templates; use the provider console',
  });
}
