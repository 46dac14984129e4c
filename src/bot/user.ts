import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config';
import { knownTimeZone } from '../domain/format';
import { localeFrom, strings, type Locale, type Strings } from '../i18n';
import type { Logger } from '../log';

/** Who a Slack user is, for wadesk: the language and zone to answer in and whether they may manage accounts. */
export interface SlackUser {
  id: string;
  locale: Locale;
  isAdmin: boolean;
  /** Their Slack time zone, else the one the account's channel posts use (`TZ`): for the times we write out. */
  timeZone: string;
  /** The strings for `locale`. */
  t: Strings;
  /** How Slack shows them (display name, else real name), when it said: `{{agent}}` in saved replies. */
  name?: string;
}

const usersInfoSchema = z.object({
  user: z.object({
    id: z.string(),
    is_admin: z.boolean().optional(),
    is_owner: z.boolean().optional(),
    is_primary_owner: z.boolean().optional(),
    locale: z.string().optional(),
    tz: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

/**
 * One users.info call (with the locale) tells all. If Slack cannot answer, the user
 * gets English in the channels' zone and is an admin only through ADMIN_USER_IDS.
 */
export async function slackUser(
  client: WebClient,
  deps: { config: Config; logger: Logger },
  userId: string,
): Promise<SlackUser> {
  const listed = deps.config.adminUserIds.includes(userId);
  try {
    const parsed = usersInfoSchema.safeParse(await client.users.info({ user: userId, include_locale: true }));
    if (!parsed.success) throw new Error('users.info answered an unexpected shape');
    const u = parsed.data.user;
    const locale = localeFrom(u.locale);
    const isAdmin = listed || u.is_admin === true || u.is_owner === true || u.is_primary_owner === true;
    const name = [u.profile?.display_name, u.profile?.real_name, u.real_name].map((n) => n?.trim()).find(Boolean);
    return { id: userId, locale, isAdmin, timeZone: knownTimeZone(u.tz) ?? deps.config.timeZone, t: strings(locale), ...(name ? { name } : {}) };
  } catch (err) {
    deps.logger.warn('could not look up the Slack user', { userId, err });
    return { id: userId, locale: 'en', isAdmin: listed, timeZone: deps.config.timeZone, t: strings('en') };
  }
}

/** The user's language (English unless their Slack locale is Indonesian). */
export async function userLocale(client: WebClient, deps: { config: Config; logger: Logger }, userId: string): Promise<Locale> {
  return (await slackUser(client, deps, userId)).locale;
}

/** Workspace admins and owners, and anyone in ADMIN_USER_IDS, may manage accounts. */
export async function isAdmin(client: WebClient, deps: { config: Config; logger: Logger }, userId: string): Promise<boolean> {
  return (await slackUser(client, deps, userId)).isAdmin;
}
