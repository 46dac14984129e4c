import { parseCsatSurvey, type CsatSurvey } from '../domain/csat';
import { z } from 'zod';
import type { Locale } from '../i18n';
import type { ApiKind } from '../whatsapp/provider';

export type { ApiKind };

/**
 * The account forms as plain data, and their validation. Pure: problems are
 * codes with parameters; the i18n layer turns them into sentences.
 */

export const DEFAULT_CLOUD_API_URL = 'https://graph.facebook.com/v23.0';
/** The languages wadesk can post in an account's channel. */
export const CHANNEL_LOCALES = ['en', 'id'] as const satisfies readonly Locale[];

/** Form fields; each is also the block_id of its input in the modals. */
export type AccountField =
  | 'name'
  | 'kind'
  | 'api_url'
  | 'api_key_header'
  | 'token'
  | 'phone_number_id'
  | 'waba_id'
  | 'app_secret'
  | 'channel'
  | 'locale'
  | 'enabled'
  | 'csat_question'
  | 'csat_options';

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
  | 'invalid_header'
  | 'api_error'
  | 'csat';

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
  apiKeyHeader?: string;
  token?: string;
  phoneNumberId?: string;
  wabaId?: string;
  appSecret?: string;
  channelId?: string;
  locale?: string;
}

/** How an account reaches the API: what both the connect and the move forms ask. */
export interface ApiInput {
  kind: ApiKind;
  apiUrl: string;
  /** BSP only. */
  apiKeyHeader?: string;
  token: string;
  phoneNumberId?: string;
  wabaId?: string;
  appSecret?: string;
}

export interface ConnectInput extends ApiInput {
  name: string;
  channelId: string;
  locale: Locale;
}

/** The move form of a retired account: the connect form without what the account keeps. */
export type MoveFormValues = Omit<ConnectFormValues, 'name' | 'channelId' | 'locale'>;

/** What the settings modal holds. Empty secrets mean "keep the current one". */
export interface SettingsFormValues {
  name?: string;
  enabled?: string;
  channelId?: string;
  /** Missing (a modal opened before the field existed) keeps the current language. */
  locale?: string;
  token?: string;
  appSecret?: string;
  /** The survey's question and its answers one a line; both empty: no survey. */
  csatQuestion?: string;
  csatOptions?: string;
}

export interface SettingsInput {
  name: string;
  enabled: boolean;
  channelId: string;
  locale?: Locale;
  token?: string;
  appSecret?: string;
  /** null: no survey. */
  csat: CsatSurvey | null;
}

export const NAME_MAX = 80;
const SECRET_MAX = 2048;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const text = (max: number) => z.preprocess(blankToUndefined, z.string({ error: 'required' }).max(max, 'too_long'));
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().max(max, 'too_long').optional());
const digits = z.preprocess(blankToUndefined, z.string().regex(/^\d{1,30}$/, 'digits_only').optional());
const httpUrl = z.preprocess(
  blankToUndefined,
  z.string({ error: 'required' })
    .max(500, 'too_long')
    .refine(isHttpUrl, 'invalid_url')
    // A trailing slash would double up when paths are appended.
    .transform((u) => u.replace(/\/+$/, '')),
);

/** An HTTP header name (RFC 9110 token): it goes into every request as it is. */
const headerName = z.preprocess(blankToUndefined, z.string().max(100, 'invalid_header').regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'invalid_header').optional());

const apiFields = {
  kind: z.preprocess((v) => v ?? 'cloud', z.enum(['cloud', 'bsp'], { error: 'required' })),
  apiUrl: httpUrl,
  apiKeyHeader: headerName,
  token: text(SECRET_MAX),
  phoneNumberId: digits,
  wabaId: digits,
  appSecret: optionalText(SECRET_MAX),
};

function apiRules(v: { kind: ApiKind; phoneNumberId?: string; apiKeyHeader?: string }, ctx: z.RefinementCtx): void {
  // The Cloud API addresses everything through the phone number ID; a BSP may know it from its key.
  if (v.kind === 'cloud' && !v.phoneNumberId) ctx.addIssue({ code: 'custom', path: ['phoneNumberId'], message: 'required' });
  if (v.kind === 'bsp' && !v.apiKeyHeader) ctx.addIssue({ code: 'custom', path: ['apiKeyHeader'], message: 'required' });
}

/** Only a BSP's key goes in a header of its own: a Cloud account keeps none. */
const withoutStrayHeader = <T extends { kind: ApiKind; apiKeyHeader?: string }>(v: T): T =>
  v.kind === 'bsp' ? v : { ...v, apiKeyHeader: undefined };

const connectSchema = z
  .object({ name: text(NAME_MAX), ...apiFields, channelId: text(40), locale: z.enum(CHANNEL_LOCALES, { error: 'required' }) })
  .superRefine(apiRules)
  .transform(withoutStrayHeader);

const moveSchema = z.object(apiFields).superRefine(apiRules).transform(withoutStrayHeader);

const settingsSchema = z.object({
  name: text(NAME_MAX),
  enabled: z.enum(['on', 'off'], { error: 'required' }).transform((v) => v === 'on'),
  channelId: text(40),
  locale: z.enum(CHANNEL_LOCALES, { error: 'required' }).optional(),
  token: optionalText(SECRET_MAX),
  appSecret: optionalText(SECRET_MAX),
});

const FIELD_OF: Record<string, AccountField> = {
  name: 'name',
  kind: 'kind',
  apiUrl: 'api_url',
  apiKeyHeader: 'api_key_header',
  token: 'token',
  phoneNumberId: 'phone_number_id',
  wabaId: 'waba_id',
  appSecret: 'app_secret',
  channelId: 'channel',
  locale: 'locale',
  enabled: 'enabled',
};

const CODES: ReadonlySet<string> = new Set<FieldErrorCode>(['required', 'too_long', 'invalid_url', 'digits_only', 'invalid_header']);

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

export function validateMoveForm(values: MoveFormValues): Validated<ApiInput> {
  const parsed = moveSchema.safeParse(values);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: toFieldErrors(parsed.error) };
}

export function validateSettingsForm(values: SettingsFormValues): Validated<SettingsInput> {
  const parsed = settingsSchema.safeParse(values);
  const question = values.csatQuestion?.trim() ?? '';
  const options = values.csatOptions?.trim() ?? '';
  const survey = question || options ? parseCsatSurvey(question, options) : undefined;
  const errors: FieldErrors = parsed.success ? {} : toFieldErrors(parsed.error);
  if (survey && 'problems' in survey) {
    const onQuestion = survey.problems.filter((p) => p.startsWith('question'));
    const onOptions = survey.problems.filter((p) => !p.startsWith('question'));
    if (onQuestion.length) errors.csat_question = { code: 'csat', params: { problem: onQuestion[0] ?? '' } };
    if (onOptions.length) errors.csat_options = { code: 'csat', params: { problem: onOptions[0] ?? '' } };
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { ...parsed.data, csat: survey && 'survey' in survey ? survey.survey : null } };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}
