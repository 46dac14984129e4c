import { createProvider, WhatsAppApiError, type PhoneNumberInfo, type ProviderCredentials } from '../whatsapp/provider';
import type { AccountField, FieldProblem } from './form';

/** Someone is waiting in a modal, so the check gets less time than a normal API call. */
export const CREDENTIAL_CHECK_TIMEOUT_MS = 8_000;

export type CredentialCheck = { ok: true; info: PhoneNumberInfo } | { ok: false; field: AccountField; problem: FieldProblem };

// Graph error codes (Meta's OpenAPI, GraphAPIError): 190 invalid token, 10/200-299 permission, 100/33 unknown object.
const TOKEN_REJECTED = 190;
const PERMISSION_CODES = (code: number) => code === 10 || (code >= 200 && code <= 299);
const INVALID_PARAMETER = 100;
const OBJECT_DOES_NOT_EXIST = 33;

/** Slack shows field errors in a small space; the API's own words are cut to fit. */
const DETAIL_MAX = 120;

/** Which form field a failed credential check is about, and why. Pure. */
export function credentialProblem(err: WhatsAppApiError): { field: AccountField; problem: FieldProblem } {
  const detail = shorten(err.details ? `${err.message} (${err.details})` : err.message);
  const code = err.code === undefined ? '' : String(err.code);
  switch (err.kind) {
    case 'network':
    case 'timeout':
      return { field: 'api_url', problem: { code: 'unreachable' } };
    case 'invalid_response':
    case 'unsupported':
      return { field: 'api_url', problem: { code: 'not_whatsapp_api' } };
    case 'api':
      break;
  }
  // A BSP answers a wrong key (or a key in the wrong header) with 401 and its own envelope.
  if (err.code === TOKEN_REJECTED || err.httpStatus === 401) {
    return { field: 'token', problem: { code: 'token_rejected', params: { detail, code } } };
  }
  if (err.code === INVALID_PARAMETER && err.subcode === OBJECT_DOES_NOT_EXIST) {
    return { field: 'phone_number_id', problem: { code: 'phone_number_unknown', params: { detail, code } } };
  }
  if ((err.code !== undefined && PERMISSION_CODES(err.code)) || err.httpStatus === 403) {
    return { field: 'token', problem: { code: 'token_lacks_permission', params: { detail, code } } };
  }
  if (err.httpStatus === 404 && err.code === undefined) return { field: 'api_url', problem: { code: 'not_whatsapp_api' } };
  return { field: 'token', problem: { code: 'api_error', params: { detail, code } } };
}

/** Asks the WhatsApp API whether the credentials work; every failure becomes a field problem. */
export async function checkCredentials(
  creds: ProviderCredentials,
  timeoutMs = CREDENTIAL_CHECK_TIMEOUT_MS,
): Promise<CredentialCheck> {
  try {
    const info = await createProvider(creds, { timeoutMs }).verifyCredentials({ timeoutMs });
    return { ok: true, info };
  } catch (err) {
    if (err instanceof WhatsAppApiError) return { ok: false, ...credentialProblem(err) };
    // The clients refuse malformed URLs and missing IDs before any request.
    if (err instanceof TypeError) {
      return /phone number/i.test(err.message)
        ? { ok: false, field: 'phone_number_id', problem: { code: 'required' } }
        : { ok: false, field: 'api_url', problem: { code: 'invalid_url' } };
    }
    throw err;
  }
}

function shorten(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX - 1)}…` : text;
}
