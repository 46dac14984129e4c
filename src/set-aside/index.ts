import { LRUCache } from 'lru-cache';
import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { findTeamAccount, type Actor } from '../accounts/team';
import { userLocale } from '../bot/user';
import { escapeMrkdwn } from '../bot/views/conversations';
import type { Deps } from '../context';
import { strings, type Strings } from '../i18n';
import { classifySlackError, enqueue, parsePayload, retrySetAside, type OutboxHandler, type SetAside } from '../outbox';
import { BLOCK_FAULTS, postOnce } from '../outbox/slack';
import { findAccount, listAccounts } from '../store/accounts';
import { appendAudit } from '../store/audit';
import { findConversation } from '../store/conversations';
import type { AccountDocument } from '../store/models';
import { attributeSetAside, setAsideByAccount, setAsideKeys } from '../store/set-aside';

/**
 * What happens to a post Slack refuses for good: the outbox sets it aside and its lane goes on;
 * here it is put down to its account, the bot joins a public channel it was left out of (once),
 * the account's admins are told what to do, and Retry puts it back.
 */

export const SET_ASIDE_NOTICE = 'set-aside.notice';

/** Slack's refusals that say the channel is out of reach: the admins can fix these. */
const CHANNEL_FAULTS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
const AUTH_FAULTS = new Set(['invalid_auth', 'account_inactive', 'token_revoked', 'not_authed']);

/** The reason in plain words, naming the channel where the fix is. */
export function reasonText(s: Strings['setAside'], slackError: string | undefined, channel: string): string {
  switch (slackError) {
    case 'not_in_channel':
    case 'channel_not_found':
    case 'is_archived':
      return s.reasons[slackError](channel);
    case 'missing_scope':
      return s.reasons.missing_scope();
    case undefined:
      return s.reasons.other('wadesk');
    default:
      if (AUTH_FAULTS.has(slackError)) return s.reasons.auth();
      if (BLOCK_FAULTS.has(slackError)) return s.reasons.blocks();
      return s.reasons.other(slackError);
  }
}

const idOf = z.string().refine((id) => isValidObjectId(id));
const itemRefs = z.object({
  conversationId: idOf.optional(),
  accountId: idOf.optional(),
  channelId: z.string().optional(),
  rows: z.array(z.object({ conversationId: idOf })).optional(),
});

/** The account (and channel) an outbox item was for, from what its payload names. */
async function whereItWent(payload: Record<string, unknown>): Promise<{ account: AccountDocument; channel: string } | undefined> {
  const refs = itemRefs.safeParse(payload);
  if (!refs.success) return undefined;
  const conversationId = refs.data.conversationId ?? refs.data.rows?.[0]?.conversationId;
  const conversation = conversationId ? await findConversation(conversationId) : undefined;
  const accountId = conversation ? String(conversation.accountId) : refs.data.accountId;
  const account = accountId ? await findAccount(accountId) : undefined;
  if (!account) return undefined;
  return { account, channel: refs.data.channelId ?? conversation?.channelId ?? account.channelId };
}

const noticePayload = z.object({ userId: z.string().min(1), accountName: z.string(), slackError: z.string().optional(), channel: z.string() });

/** Attempts at most of an item put back after a join: a join that did not help must not loop. */
const MAX_REJOIN_ATTEMPTS = 3;

export function setAsideHandlers(deps: Deps): { onSetAside: (item: SetAside) => Promise<'retry' | undefined>; handlers: Record<string, OutboxHandler> } {
  // What joining each channel gave lately (or will: lanes refused at once share one join); asked once an hour at most.
  const joins = new LRUCache<string, Promise<'joined' | 'refused'>>({ max: 10_000, ttl: 60 * 60_000 });

  /** Tells the account's admins, once a day per cause: whoever connected it, and ADMIN_USER_IDS. */
  async function tellAdmins(account: AccountDocument, slackError: string, channel: string): Promise<void> {
    const now = deps.clock.now();
    const day = now.toISOString().slice(0, 10);
    const admins = [...new Set([account.createdBy, ...deps.config.adminUserIds])];
    await enqueue(
      admins.map((userId) => ({
        key: `${SET_ASIDE_NOTICE}:${String(account._id)}:${slackError}:${channel}:${day}:${userId}`,
        lane: `user:${userId}`,
        kind: SET_ASIDE_NOTICE,
        payload: { userId, accountName: account.name, channel, slackError },
      })),
      now,
    );
  }

  /** conversations.join works for public channels only; a private one needs an invitation. */
  async function join(channel: string): Promise<'joined' | 'refused'> {
    try {
      await deps.slack.conversations.join({ channel });
      deps.logger.info('joined a channel Slack said wadesk was not in', { channel });
      return 'joined';
    } catch (err) {
      deps.logger.warn('could not join the channel; telling the admins', { channel, error: classifySlackError(err).message });
      return 'refused';
    }
  }

  async function onSetAside(item: SetAside): Promise<'retry' | undefined> {
    if (item.kind === SET_ASIDE_NOTICE) return undefined;
    const where = await whereItWent(item.payload);
    if (!where) return undefined;
    const { account, channel } = where;
    await attributeSetAside(item.key, account._id);
    const slackError = item.slackError;
    if (slackError === 'not_in_channel') {
      let joining = joins.get(channel);
      if (!joining) joins.set(channel, (joining = join(channel)));
      if ((await joining) === 'joined' && item.attempt < MAX_REJOIN_ATTEMPTS) {
        // What other lanes of the channel set aside meanwhile goes back too; this item waits in its own.
        await retrySetAside((await setAsideKeys(account._id, slackError)).filter((key) => key !== item.key), deps.clock.now());
        return 'retry';
      }
    }
    if (slackError && (CHANNEL_FAULTS.has(slackError) || slackError === 'missing_scope')) await tellAdmins(account, slackError, channel);
    return undefined;
  }

  const handlers: Record<string, OutboxHandler> = {
    [SET_ASIDE_NOTICE]: async (raw, delivery) => {
      const p = parsePayload(noticePayload, raw);
      try {
        const s = strings(await userLocale(deps.slack, deps, p.userId)).setAside;
        await postOnce(deps, { channel: p.userId, text: s.notice(escapeMrkdwn(p.accountName), reasonText(s, p.slackError, `<#${p.channel}>`)) }, delivery);
      } catch (err) {
        throw classifySlackError(err);
      }
    },
  };
  return { onSetAside, handlers };
}

export type RetryOutcome = { kind: 'retried'; account: AccountDocument; count: number } | { kind: 'not_found' };

/** Retry, for an admin of the account's workspace: every set-aside item of the account back in its lane; audited. */
export async function retryAccount(deps: Pick<Deps, 'clock'>, actor: Actor, accountId: string): Promise<RetryOutcome> {
  const account = await findTeamAccount(actor.teamId, accountId);
  if (!account) return { kind: 'not_found' };
  const now = deps.clock.now();
  const count = await retrySetAside(await setAsideKeys(account._id), now);
  await appendAudit(
    { teamId: actor.teamId, actorId: actor.userId, accountId: String(account._id), action: 'outbox.retry', subject: `account:${String(account._id)}`, after: { retried: count } },
    now,
  );
  return { kind: 'retried', account, count };
}

/** What Slack refused, per connected account of the workspace (accounts with nothing set aside left out). */
export async function setAsideOfTeam(teamId: string): Promise<{ account: AccountDocument; count: number; slackError?: string }[]> {
  const accounts = await listAccounts(teamId);
  const byId = new Map(accounts.map((a) => [String(a._id), a]));
  return (await setAsideByAccount(accounts.map((a) => a._id))).flatMap((group) => {
    const account = byId.get(group.accountId);
    return account ? [{ account, count: group.count, ...(group.slackError ? { slackError: group.slackError } : {}) }] : [];
  });
}
