/** Saved replies: texts an account's admins keep for agents to send, with `{{name}}` and `{{agent}}` filled in at use. Pure. */

/** `text`: what a Slack text input holds; `perAccount`: a block each in the list modal, within its 100. */
export const SAVED_REPLY_LIMITS = { name: 50, text: 3_000, perAccount: 90 } as const;
export const SAVED_REPLY_PLACEHOLDERS = ['name', 'agent'] as const;

export interface SavedReplyDraft {
  name: string;
  text: string;
}

export type SavedReplyIssue =
  | { field: 'name'; problem: 'empty' | 'too_long' | 'taken' }
  | { field: 'text'; problem: 'empty' | 'too_long' }
  | { field: 'text'; problem: 'unknown_placeholder'; placeholder: string };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What is wrong with a reply as typed into the form; `taken` is the store's to say. */
export function savedReplyIssues(draft: SavedReplyDraft): SavedReplyIssue[] {
  const issues: SavedReplyIssue[] = [];
  const name = draft.name.trim();
  if (!name) issues.push({ field: 'name', problem: 'empty' });
  else if (name.length > SAVED_REPLY_LIMITS.name) issues.push({ field: 'name', problem: 'too_long' });
  if (!draft.text.trim()) issues.push({ field: 'text', problem: 'empty' });
  else if (draft.text.length > SAVED_REPLY_LIMITS.text) issues.push({ field: 'text', problem: 'too_long' });
  const unknown = [...draft.text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').find((p) => !SAVED_REPLY_PLACEHOLDERS.some((known) => known === p.toLowerCase()));
  if (unknown !== undefined) issues.push({ field: 'text', problem: 'unknown_placeholder', placeholder: unknown });
  return issues;
}

export interface FillValues {
  /** The customer's name, when WhatsApp told us one. */
  name?: string;
  /** The agent's display name. */
  agent?: string;
}

/**
 * The text with its placeholders filled in: `{{name}}` by the customer's name and `{{agent}}` by the
 * agent's. A value we do not have leaves the placeholder out (and a space before it), so
 * "Hi {{name}}," reads "Hi," rather than "Hi {{name}},". The agent edits the result before sending.
 */
export function fillSavedReply(text: string, values: FillValues): string {
  return text.replace(/ ?\{\{\s*(name|agent)\s*\}\}/gi, (whole, key: string) => {
    const value = values[key.toLowerCase() === 'name' ? 'name' : 'agent']?.trim();
    if (!value) return '';
    return whole.startsWith(' ') ? ` ${value}` : value;
  });
}
