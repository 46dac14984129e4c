import type { AllMiddlewareArgs, App, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import { accountNamed, findTeamAccount, listTeamAccounts, type AccountDocument, type ConversationDocument } from '../../../accounts/team';
import type { Deps } from '../../../context';
import { customerHandle, conversationCustomer } from '../../../domain/customer';
import { parseTags } from '../../../domain/contact';
import { QUEUES, queueNamed, type QueueName } from '../../../domain/queues';
import { queueOf } from '../../../inbox/queues';
import { slackUser, type SlackUser } from '../../user';
import { PAGER_ACTION } from '../../views/limits';
import { QUEUE_PAGE_SIZE, queuePageAction, queuesBlocks, queuesMessage, type QueueList, type QueueRow, type QueuesData } from '../../views/queues';
import { threadLink } from '../../views/window';
import { parseActionBody } from '../accounts/context';
import type { WhatsAppCommandArgs } from '../commands/types';
import { metadata } from '../templates/shared';
import { publishHome, type HomeContext } from '../home';

export type QueuePages = Partial<Record<QueueName, number>>;

function rowOf(c: ConversationDocument, accounts: ReadonlyMap<string, AccountDocument>): QueueRow {
  const channelId = c.channelId ?? accounts.get(String(c.accountId))?.channelId;
  return {
    customerName: c.profileName ?? undefined,
    handle: customerHandle(conversationCustomer(c)),
    closesAt: c.windowClosesAt ?? undefined,
    assignee: c.assignee ?? undefined,
    link: channelId && c.threadTs ? threadLink(channelId, c.threadTs) : undefined,
  };
}

/** The queues `shown` for `user` of these accounts (the workspace's connected ones, or the one `account` asked for), each at its page. */
async function queuesData(
  deps: Deps,
  user: SlackUser,
  accounts: readonly AccountDocument[],
  opts: { shown: readonly QueueName[]; pages?: QueuePages; account?: AccountDocument; tag?: string },
): Promise<QueuesData> {
  const now = deps.clock.now();
  const byId = new Map(accounts.map((a) => [String(a._id), a]));
  const lists: QueueList[] = await Promise.all(
    opts.shown.map(async (queue) => {
      const found = await queueOf(
        accounts,
        queue,
        { userId: user.id, now, page: opts.pages?.[queue] ?? 0, size: QUEUE_PAGE_SIZE, tag: opts.tag },
      );
      return { queue, rows: found.rows.map((c) => rowOf(c, byId)), total: found.total, page: found.page, pages: found.pages };
    }),
  );
  return {
    lists,
    now,
    timeZone: user.timeZone,
    ...(opts.account ? { account: { id: String(opts.account._id), name: opts.account.name } } : {}),
    ...(opts.tag ? { tag: opts.tag } : {}),
  };
}

/** The App Home section: Mine, Unassigned and All open, for everyone of a workspace with an account. */
export async function queuesHomeSection(ctx: HomeContext): Promise<KnownBlock[]> {
  const accounts = await listTeamAccounts(ctx.teamId);
  if (accounts.length === 0) return [];
  return queuesBlocks(ctx.user.t, await queuesData(ctx.deps, ctx.user, accounts, { shown: QUEUES, pages: ctx.pages?.queues }));
}

/** `/whatsapp queue [mine|unassigned|all] [account]`: privately, one queue or all three, of one account or all. */
export async function showQueue({ command, client, respond, deps, words }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  const q = user.t.inbox.queues;
  // `#tag` anywhere narrows the lists to conversations with that contact tag.
  const tag = parseTags(words.filter((w) => w.startsWith('#')).join(' '))[0];
  const rest = words.filter((w) => !w.startsWith('#'));
  const named = queueNamed(rest[0]);
  const accountName = (named ? rest.slice(1) : rest).join(' ');
  const accounts = await listTeamAccounts(command.team_id);
  if (accounts.length === 0) return void (await respond({ response_type: 'ephemeral', text: q.noAccounts }));
  const account = accountName ? accountNamed(accounts, accountName) : undefined;
  if (accountName && !account) return void (await respond({ response_type: 'ephemeral', text: q.accountNotFound(accountName) }));
  const data = await queuesData(deps, user, account ? [account] : accounts, { shown: named ? [named] : QUEUES, account, tag });
  await respond({ response_type: 'ephemeral', ...queuesMessage(user.t, data) });
}

const pagerValue = z.object({ page: z.number().int().min(0), accountId: z.string().optional(), tag: z.string().max(40).optional() });

/** A queue's Previous/Next, on the Home tab or in the `/whatsapp queue` message. */
function queuePager(deps: Deps, queue: QueueName) {
  return async ({ ack, body, client, respond }: AllMiddlewareArgs & SlackActionMiddlewareArgs): Promise<void> => {
    await ack();
    const ctx = parseActionBody(body);
    const value = metadata(pagerValue, ctx?.value);
    if (!ctx || !value) return;
    const user = await slackUser(client, deps, ctx.userId);
    if (ctx.surface.type === 'home') return publishHome(deps, client, { user, teamId: ctx.teamId, pages: { queues: { [queue]: value.page } } });
    // The account filter came back from Slack: only one of the workspace's own accounts narrows the list.
    const account = value.accountId ? await findTeamAccount(ctx.teamId, value.accountId) : undefined;
    if (value.accountId && !account) return;
    const accounts = account ? [account] : await listTeamAccounts(ctx.teamId);
    const data = await queuesData(deps, user, accounts, { shown: [queue], pages: { [queue]: value.page }, account, tag: value.tag });
    await respond({ response_type: 'ephemeral', replace_original: true, ...queuesMessage(user.t, data) });
  };
}

export function registerQueues(app: App, deps: Deps): void {
  for (const queue of QUEUES) app.action(PAGER_ACTION(queuePageAction(queue)), queuePager(deps, queue));
}
