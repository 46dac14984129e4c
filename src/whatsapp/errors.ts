/**
 * WhatsApp (Graph API) error codes as stable meaning codes. The i18n layer turns a
 * meaning into text; `retryable` says whether sending the same request again later
 * can succeed without anyone changing anything.
 */

export type WhatsAppErrorMeaning =
  | 'unknown'
  | 'meta_internal_error'
  | 'service_unavailable'
  | 'rate_limited'
  | 'pair_rate_limited'
  | 'spam_rate_limited'
  | 'permission_denied'
  | 'invalid_parameter'
  | 'missing_parameter'
  | 'access_token_invalid'
  | 'account_blocked_policy'
  | 'account_locked'
  | 'account_maintenance'
  | 'account_payment_issue'
  | 'account_country_restricted'
  | 'display_name_not_approved'
  | 'recipient_in_experiment'
  | 'recipient_is_sender'
  | 'bsuid_not_supported'
  | 'recipient_opted_out_marketing'
  | 'ecosystem_protection'
  | 'window_closed'
  | 'undeliverable'
  | 'unsupported_message_type'
  | 'media_download_failed'
  | 'media_upload_failed'
  | 'template_param_count_mismatch'
  | 'template_not_found'
  | 'template_text_too_long'
  | 'template_policy_violated'
  | 'template_param_format_mismatch'
  | 'template_paused'
  | 'template_disabled'
  | 'flow_blocked'
  | 'flow_throttled'
  | 'phone_not_registered'
  | 'phone_registration_error'
  | 'template_limit_reached'
  | 'template_name_being_deleted'
  | 'template_duplicate'
  | 'template_field_too_long'
  | 'template_header_invalid'
  | 'template_body_invalid'
  | 'template_footer_invalid'
  | 'template_too_many_params'
  | 'template_params_at_edges'
  | 'template_create_rejected'
  | 'generic_user_error';

export interface WhatsAppErrorDescription {
  code: number;
  meaning: WhatsAppErrorMeaning;
  retryable: boolean;
}

type Entry = readonly [meaning: WhatsAppErrorMeaning, retryable: boolean];

// Source: Meta's "Error codes" page for the Cloud API and the codes in the v23 OpenAPI description.
const ERRORS: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [1, ['meta_internal_error', true]],
  [2, ['service_unavailable', true]],
  [3, ['permission_denied', false]],
  [4, ['rate_limited', true]],
  [10, ['permission_denied', false]],
  [17, ['rate_limited', true]],
  [100, ['invalid_parameter', false]],
  [190, ['access_token_invalid', false]],
  [368, ['account_blocked_policy', false]],
  [613, ['rate_limited', true]],
  [80007, ['rate_limited', true]],
  [130429, ['rate_limited', true]],
  [130472, ['recipient_in_experiment', false]],
  [130497, ['account_country_restricted', false]],
  [131000, ['meta_internal_error', true]],
  [131005, ['permission_denied', false]],
  [131008, ['missing_parameter', false]],
  [131009, ['invalid_parameter', false]],
  [131016, ['service_unavailable', true]],
  [131021, ['recipient_is_sender', false]],
  [131026, ['undeliverable', false]],
  [131031, ['account_locked', false]],
  [131037, ['display_name_not_approved', false]],
  [131042, ['account_payment_issue', false]],
  [131045, ['phone_not_registered', false]],
  // More than 24 hours since the customer last wrote: only a template can be sent.
  [131047, ['window_closed', false]],
  // Not retried automatically: retrying makes the quality rating worse.
  [131048, ['spam_rate_limited', false]],
  [131049, ['ecosystem_protection', false]],
  [131050, ['recipient_opted_out_marketing', false]],
  [131051, ['unsupported_message_type', false]],
  [131052, ['media_download_failed', false]],
  [131053, ['media_upload_failed', false]],
  [131056, ['pair_rate_limited', true]],
  [131057, ['account_maintenance', true]],
  // "Business-scoped User ID recipients are not supported for this message" (e.g. one-tap and copy-code authentication templates).
  [131062, ['bsuid_not_supported', false]],
  [132000, ['template_param_count_mismatch', false]],
  [132001, ['template_not_found', false]],
  [132005, ['template_text_too_long', false]],
  [132007, ['template_policy_violated', false]],
  [132012, ['template_param_format_mismatch', false]],
  [132015, ['template_paused', false]],
  [132016, ['template_disabled', false]],
  [132068, ['flow_blocked', false]],
  [132069, ['flow_throttled', true]],
  [133000, ['phone_registration_error', false]],
  [133004, ['service_unavailable', true]],
  [133010, ['phone_not_registered', false]],
  [135000, ['generic_user_error', false]],
  [2388019, ['template_limit_reached', false]],
  [2388023, ['template_name_being_deleted', false]],
  [2388024, ['template_duplicate', false]],
  [2388040, ['template_field_too_long', false]],
  [2388047, ['template_header_invalid', false]],
  [2388072, ['template_body_invalid', false]],
  [2388073, ['template_footer_invalid', false]],
  [2388293, ['template_too_many_params', false]],
  [2388299, ['template_params_at_edges', false]],
]);

// Families Meta documents as ranges; consulted only when the exact code is not in ERRORS.
const RANGES: readonly (readonly [from: number, to: number, entry: Entry])[] = [
  [200, 299, ['permission_denied', false]],
  [2388000, 2388999, ['template_create_rejected', false]],
];

export function describeWhatsAppError(code: number): WhatsAppErrorDescription {
  const entry = ERRORS.get(code) ?? RANGES.find(([from, to]) => code >= from && code <= to)?.[2];
  if (!entry) return { code, meaning: 'unknown', retryable: false };
  return { code, meaning: entry[0], retryable: entry[1] };
}

/** HTTP statuses worth retrying with backoff whatever the error body says. */
export function isRetryableHttpStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
