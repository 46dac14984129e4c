import { listAccountSummaries } from '../../../accounts/service';
import { slackUser } from '../../user';
import { accountListMessage } from '../../views/accounts';
import type { WhatsAppCommandArgs } from '../commands/types';
import { connectForm } from './connect';

/** `/whatsapp connect`: the "Add WhatsApp Account" modal, for admins. */
export async function openConnectFromCommand({ command, client, respond, deps }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  if (!user.isAdmin) {
    await respond({ response_type: 'ephemeral', text: user.t.common.onlyAdmins(user.t.accounts.adminWhat.connect) });
    return;
  }
  await client.views.open({ trigger_id: command.trigger_id, view: connectForm(user) });
}

/** `/whatsapp accounts`: the list, only to whoever asked. */
export async function showAccountsFromCommand({ command, client, respond, deps }: WhatsAppCommandArgs): Promise<void> {
  const user = await slackUser(client, deps, command.user_id);
  const accounts = await listAccountSummaries(deps, command.team_id);
  await respond({ response_type: 'ephemeral', ...accountListMessage(user.t, accounts, { isAdmin: user.isAdmin }) });
}
