import { z } from 'zod';
import type { Locale } from '../i18n';

/**
 * The account forms as plain data, and their validation. Pure: problems are
 * codes with parameters; the i18n layer turns them into sentences.
 */

export type ApiKind = 'cloud' | 'onprem';
export const DEFAULT_CLOUD_API_URL = 'https://graph.facebook.com/v23.0';
/** The languages wadesk can post in an account's channel. */
export const CHANNEL_LOCALES = ['en', 'id'] as const satisfies readonly Locale[];

/** Form fields; each is also the block_id of its input in the modals. */
export type AccountField =
  | 'name'
  | 'kind'
  | 'api_url'
  | 'token'
  | 'phone_number_id'
  | 'waba_id'
  | 'app_secret'
  | 'channel'
  | 'locale'
  | 'enabled';

export type FieldErrorCode =
  | 'required'
  | 'too_long'
  | 'invalid_url'
  | 'digits_only'
  | 'duplicate_name'
  | 'token_rejected'
  | 'token_lacks_permission'
  | 'phone_number_unknown'
  | 'unreachable'
  | 'not_whatsapp_api'
  | 'gateway_not_connected'
  | 'api_error';

export interface FieldProblem {
  code: FieldErrorCode;
  params?: Record<string, string>;
}
export type FieldErrors = Partial<Record<AccountField, FieldProblem>>;

/** What the connect modal holds, as read from Slack (every field may be missing). */
export interface ConnectFormValues {
  name?: string;
  kind?: string;
  apiUrl?: string;
  token?: string;
  phoneNumberId?: string;
  wabaId?: string;
  appSecret?: string;
  channelId?: string;
  locale?: string;
}

export interface ConnectInput {
  name: string;
  kind: ApiKind;
  apiUrl: string;
  token: string;
  phoneNumberId?: string;
  wabaId?: string;
  appSecret?: string;
  channelId: string;
  locale: Locale;
}

/** What the settings modal holds. Empty secrets mean "keep the current one". */
export interface SettingsFormValues {
  name?: string;
  enabled?: string;
  channelId?: string;
  /** Missing (a modal opened before the field existed) keeps the current language. */
  locale?: string;
  token?: string;
  appSecret?: string;
}

export interface SettingsInput {
  name: string;
  enabled: boolean;
  channelId: string;
  locale?: Locale;
  token?: string;
  appSecret?: string;
}

export const NAME_MAX = 80;
const SECRET_MAX = 2048;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const text = (max: number) => z.preprocess(blankToUndefined, z.string({ required_error: 'required' }).max(max, 'too_long'));
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().max(max, 'too_long').optional());
const digits = z.preprocess(blankToUndefined, z.string().regex(/^\d{1,30}$/, 'digits_only').optional());
const httpUrl = z.preprocess(
  blankToUndefined,
  z
    .string({ required_error: 'required' })
    .max(500, 'too_long')
    .refine(isHttpUrl, 'invalid_url')
    // A trailing slash would double up when paths are appended.
    .transform((u) => u.replace(/\/+$/, '')),
);

const connectSchema = z
  .object({
    name: text(NAME_MAX),
    kind: z.preprocess((v) => v ?? 'cloud', z.enum(['cloud', 'onprem'], { message: 'required' })),
    apiUrl: httpUrl,
    token: text(SECRET_MAX),
    phoneNumberId: digits,
    wabaId: digits,
    appSecret: optionalText(SECRET_MAX),
    channelId: text(40),
    locale: z.enum(CHANNEL_LOCALES, { message: 'required' }),
  })
  .superRefine((v, ctx) => {
    // The Cloud API addresses everything through the phone number ID.
    if (v.kind === 'cloud' && !v.phoneNumberId) ctx.addIssue({ code: 'custom', path: ['phoneNumberId'], message: 'required' });
  });

const settingsSchema = z.object({
  name: text(NAME_MAX),
  enabled: z.enum(['on', 'off'], { message: 'required' }).transform((v) => v === 'on'),
  channelId: text(40),
  locale: z.enum(CHANNEL_LOCALES, { message: 'required' }).optional(),
  token: optionalText(SECRET_MAX),
  appSecret: optionalText(SECRET_MAX),
});

const FIELD_OF: Record<string, AccountField> = {
  name: 'name',
  kind: 'kind',
  apiUrl: 'api_url',
  token: 'token',
  phoneNumberId: 'phone_number_id',
  wabaId: 'waba_id',
  appSecret: 'app_secret',
  channelId: 'channel',
  locale: 'locale',
  enabled: 'enabled',
};

const CODES: ReadonlySet<string> = new Set<FieldErrorCode>(['required', 'too_long', 'invalid_url', 'digits_only']);

function toFieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = FIELD_OF[String(issue.path[0])];
    if (!field || errors[field]) continue;
    const code = CODES.has(issue.message) ? (issue.message as FieldErrorCode) : 'required';
    errors[field] = code === 'too_long' && field === 'name' ? { code, params: { max: String(NAME_MAX) } } : { code };
  }
  return errors;
}

export function validateConnectForm(values: ConnectFormValues): Validated<ConnectInput> {
  const parsed = connectSchema.safeParse(values);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: toFieldErrors(parsed.error) };
}

export function validateSettingsForm(values: SettingsFormValues): Validated<SettingsInput> {
  const parsed = settingsSchema.safeParse(values);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: toFieldErrors(parsed.error) };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
