/** The customer's contact card: tags and notes agents keep on a conversation. Pure. */

export const CONTACT_LIMITS = { tags: 10, tag: 30, notes: 3_000 } as const;

export type ContactIssue = { field: 'tags'; problem: 'too_many' | 'too_long' | 'bad_tag'; tag?: string } | { field: 'notes'; problem: 'too_long' };

/** Tags as typed ("VIP, reseller #jakarta"): separated by commas or spaces, a leading # dropped, lower case, each once. */
export function parseTags(input: string): string[] {
  const tags = input
    .split(/[,\s]+/)
    .map((t) => t.replace(/^#+/, '').trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

const TAG = /^[\p{L}\p{N}_-]+$/u;

export function contactIssues(tags: readonly string[], notes: string): ContactIssue[] {
  const issues: ContactIssue[] = [];
  const bad = tags.find((t) => !TAG.test(t));
  const long = tags.find((t) => t.length > CONTACT_LIMITS.tag);
  if (tags.length > CONTACT_LIMITS.tags) issues.push({ field: 'tags', problem: 'too_many' });
  else if (bad !== undefined) issues.push({ field: 'tags', problem: 'bad_tag', tag: bad });
  else if (long !== undefined) issues.push({ field: 'tags', problem: 'too_long', tag: long });
  if (notes.length > CONTACT_LIMITS.notes) issues.push({ field: 'notes', problem: 'too_long' });
  return issues;
}
