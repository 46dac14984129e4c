import type { WebClient } from '@slack/web-api';
import { localeFrom, type Locale } from '../i18n';

/** The user's Slack locale; English when Slack cannot tell us (the text must still go out). */
export async function localeOf(client: WebClient, userId: string): Promise<Locale> {
  try {
    const info = await client.users.info({ user: userId, include_locale: true });
    return localeFrom(info.user?.locale);
  } catch {
    return 'en';
  }
}
