import { accountNamed, listTeamAccounts, type AccountDocument } from '../../../accounts/team';
import { normalizeWaId } from '../../../templates';
import { slackUser } from '../../user';
import type { WhatsAppCommandArgs } from '../commands/types';
import { openTemplateList } from './list';
import { maySend, openSendModal } from './send';
import type { T } from './shared';

/**
 * The account a command names; without a name, the workspace's only account
 * or the one whose channel the command was typed in.
 */
export async function resolveAccount(
  teamId: string,
  channelId: string,
  name: string,
  t: Pick<T, 'noAccounts' | 'accountNotFound' | 'accountAmbiguous'>,
): Promise<{ account: AccountDocument } | { error: string }> {
  const accounts = await listTeamAccounts(teamId);
  if (accounts.length === 0) return { error: t.noAccounts };
  if (name !== '') {
    const account = accountNamed(accounts, name);
    return account ? { account } : { error: t.accountNotFound(name) };
  }
  const [only] = accounts;
  if (only && accounts.length === 1) return { account: only };
  const here = accounts.filter((a) => a.channelId === channelId);
  const [inChannel] = here;
  return inChannel && here.length === 1 ? { account: inChannel } : { error: t.accountAmbiguous };
}

/** `/whatsapp templates [account]`. */
export async function openTemplatesFromCommand(args: WhatsAppCommandArgs): Promise<void> {
  const { command, client, deps } = args;
  const s = (await slackUser(client, deps, command.user_id)).t;
  const found = await resolveAccount(command.team_id, command.channel_id, args.words.join(' '), s.templates);
  if ('error' in found) {
    await args.respond({ response_type: 'ephemeral', text: found.error });
    return;
  }
  await openTemplateList(client, deps, s, { triggerId: command.trigger_id, account: found.account });
}

/**
 * Splits `<account> <phone>` where both may contain spaces ("Sales Team",
 * "+62 812-3456-7890"): the first split naming a connected account wins.
 */
async function sendTarget(
  teamId: string,
  channelId: string,
  words: string[],
  t: T,
): Promise<{ account: AccountDocument; waId: string } | { error: string }> {
  if (words.length < 2) return { error: t.sendUsage };
  const accounts = await listTeamAccounts(teamId);
  for (let split = 1; split < words.length; split++) {
    const account = accountNamed(accounts, words.slice(0, split).join(' '));
    const waId = normalizeWaId(words.slice(split).join(''));
    if (account && waId) return { account, waId };
  }
  // No split works: name the likeliest problem, reading the last word as the phone.
  const phone = words[words.length - 1] ?? '';
  if (!normalizeWaId(phone)) return { error: t.invalidPhone(phone) };
  const found = await resolveAccount(teamId, channelId, words.slice(0, -1).join(' '), t);
  return 'error' in found ? found : { error: t.sendUsage };
}

/** `/whatsapp send <account> <phone>`. */
export async function openSendTemplateFromCommand(args: WhatsAppCommandArgs): Promise<void> {
  const { command, client, deps } = args;
  const user = await slackUser(client, deps, command.user_id);
  const t = user.t.templates;
  const target = await sendTarget(command.team_id, command.channel_id, args.words, t);
  if ('error' in target) {
    await args.respond({ response_type: 'ephemeral', text: target.error });
    return;
  }
  const { account, waId } = target;
  if (!(await maySend(client, deps, user, account))) {
    await args.respond({ response_type: 'ephemeral', text: t.channelOnly(account.channelId) });
    return;
  }
  await openSendModal(client, t, { triggerId: command.trigger_id, account, waId });
}
