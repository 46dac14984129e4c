import { WhatsAppApiError } from '../whatsapp/provider';

/** What a person needs to know about a WhatsApp failure: its code and WhatsApp's own words. */
export interface WhatsAppFailure {
  kind: 'api' | 'network' | 'timeout' | 'invalid_response' | 'unsupported';
  code?: number;
  subcode?: number;
  message: string;
}

export function toWhatsAppFailure(err: unknown): WhatsAppFailure {
  if (err instanceof WhatsAppApiError) {
    // error_user_msg / details explain the problem to people; message is the developer text.
    // The code is shown on its own, so the client's "WhatsApp API error (HTTP …, code …):" prefix goes.
    const message = [err.title, err.details].filter(Boolean).join(': ') || err.message.replace(/^WhatsApp API error \([^)]*\): /, '');
    return { kind: err.kind, code: err.code, subcode: err.subcode, message };
  }
  throw err;
}
