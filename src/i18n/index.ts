import { en } from './en';
import { id } from './id';

/**
 * Every user-facing string, one folder per language. English is the reference
 * shape; Indonesian must provide the same keys (the compiler checks).
 * Strings with values are functions of those values.
 */
export type Strings = typeof en;
export type Locale = 'en' | 'id';

const byLocale: Record<Locale, Strings> = { en, id };

/** Slack locales look like `id-ID` or `en-US`; anything not Indonesian falls back to English. */
export function localeFrom(slackLocale: string | undefined): Locale {
  return slackLocale?.toLowerCase().startsWith('id') ? 'id' : 'en';
}

export function strings(locale: Locale): Strings {
  return byLocale[locale];
}
