import { accountNameKey, listAccounts } from '../../../store/accounts';
import type { AccountDocument } from '../../../store/models';
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
async function resolveAccount(
  teamId: string,
  channelId: string,
  name: string,
  t: T,
): Promise<{ account: AccountDocument } | { error: string }> {
  const accounts = await listAccounts(teamId);
  if (accounts.length === 0) return { error: t.noAccounts };
  if (name !== '') {
    const account = accounts.find((a) => a.nameKey === accountNameKey(name));
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
  const t = (await slackUser(client, deps, command.user_id)).t.templates;
  const found = await resolveAccount(command.team_id, command.channel_id, args.words.join(' '), t);
  if ('error' in found) {
    await args.respond({ response_type: 'ephemeral', text: found.error });
    return;
  }
  await openTemplateList(client, t, { triggerId: command.trigger_id, account: found.account });
}

/** `/whatsapp send <account> <phone>`: the phone is the last word, so account names may have spaces. */
export async function openSendTemplateFromCommand(args: WhatsAppCommandArgs): Promise<void> {
  const { command, client, deps } = args;
  const user = await slackUser(client, deps, command.user_id);
  const t = user.t.templates;
  const words = [...args.words];
  const phone = words.pop();
  if (phone === undefined || words.length === 0) {
    await args.respond({ response_type: 'ephemeral', text: t.sendUsage });
    return;
  }
  const waId = normalizeWaId(phone);
  if (!waId) {
    await args.respond({ response_type: 'ephemeral', text: t.invalidPhone(phone) });
    return;
  }
  const found = await resolveAccount(command.team_id, command.channel_id, words.join(' '), t);
  if ('error' in found) {
    await args.respond({ response_type: 'ephemeral', text: found.error });
    return;
  }
  if (!(await maySend(client, deps, user, found.account))) {
    await args.respond({ response_type: 'ephemeral', text: t.channelOnly(found.account.channelId) });
    return;
  }
  await openSendModal(client, t, { triggerId: command.trigger_id, account: found.account, waId });
}
