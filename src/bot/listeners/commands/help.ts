import { slackUser } from '../../user';
import { helpMessage } from '../../views/help';
import type { WhatsAppCommandArgs } from './types';

/** `/whatsapp help`, bare `/whatsapp`, or an unknown subcommand (named back to the user). */
export async function showHelp(args: WhatsAppCommandArgs, unknownWord?: string): Promise<void> {
  const user = await slackUser(args.client, args.deps, args.command.user_id);
  await args.respond({ response_type: 'ephemeral', ...helpMessage(user.t, { unknownWord }) });
}
