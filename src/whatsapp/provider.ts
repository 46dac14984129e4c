import { CloudApiProvider } from './cloud-api';
import type { ApiKind, MediaRef, RemoteTemplate } from './http';

// The error class and template schema live in http.ts so the clients need not import this file at run time.
export { remoteTemplateSchema, THROTTLING_CODES, WhatsAppApiError } from './http';
export type { MediaKind, RemoteTemplate, WhatsAppApiErrorInit, WhatsAppErrorKind } from './http';

export { DEFAULT_BSP_KEY_HEADER, unknownKind, type ApiKind } from './http';

export interface ProviderCredentials {
  kind: ApiKind;
  /** Cloud: `https://graph.facebook.com/v23.0`; BSP: its base URL, e.g. `https://waba-v2.360dialog.io`. */
  apiUrl: string;
  token: string;
  /** Cloud: required. BSP: only where the provider keeps it in the path (360dialog does not). */
  phoneNumberId?: string;
  /** Without it templates cannot be listed or managed. */
  wabaId?: string;
  /** BSP only: the header that carries the API key. */
  apiKeyHeader?: string;
}

export interface PhoneNumberInfo {
  displayPhoneNumber?: string;
  verifiedName?: string;
  qualityRating?: string;
}

/** Exactly one of `link` or `mediaId`; captions go only on image, video and document. */
export type OutgoingMedia = MediaRef;

export interface OutgoingTemplate {
  name: string;
  /** Language code as WhatsApp spells it, e.g. `en_US`, `id`. */
  language: string;
  /** Stored for templates imported long ago; the Cloud API takes none. */
  namespace?: string;
  components: unknown[];
}

export interface CreatedTemplate {
  id: string;
  status: string;
  category?: string;
}

export interface WhatsAppProvider {
  readonly kind: ApiKind;
  /** Cheap call that proves URL and token work; pass a short timeout when a person is waiting. */
  verifyCredentials(opts?: { timeoutMs?: number }): Promise<PhoneNumberInfo>;
  sendText(to: string, body: string, opts?: { replyToWamid?: string }): Promise<{ wamid: string }>;
  sendMedia(to: string, media: OutgoingMedia, opts?: { replyToWamid?: string }): Promise<{ wamid: string }>;
  uploadMedia(data: Buffer, mimeType: string, filename: string): Promise<{ mediaId: string }>;
  downloadMedia(mediaId: string): Promise<{ data: Buffer; mimeType: string }>;
  sendTemplate(to: string, template: OutgoingTemplate): Promise<{ wamid: string }>;
  /** Reply buttons or a list (the satisfaction survey); only inside the 24-hour window, like text. */
  sendInteractive(to: string, interactive: Record<string, unknown>): Promise<{ wamid: string }>;
  /** Every template of the account, all pages. */
  listTemplates(): Promise<RemoteTemplate[]>;
  createTemplate(body: unknown): Promise<CreatedTemplate>;
  deleteTemplate(name: string, hsmId?: string): Promise<void>;
  readonly supportsTemplateManagement: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ProviderOptions {
  /** Per-request time-out; default 10 s. */
  timeoutMs?: number;
}

export function createProvider(creds: ProviderCredentials, opts: ProviderOptions = {}): WhatsAppProvider {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A BSP serves the Cloud API's own payloads: one client, told where and how to send the key.
  return new CloudApiProvider(creds, timeoutMs);
}


