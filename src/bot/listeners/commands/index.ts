import type { App } from '@slack/bolt';
import type { Deps } from '../../../context';
import { openConnectFromCommand, showAccountsFromCommand } from '../accounts';
import { openSendTemplateFromCommand, openTemplatesFromCommand } from '../templates';
import { showExpiring } from '../window';
import { showQueue } from '../inbox/queues';
import { openSavedRepliesFromCommand } from '../saved-replies';
import { showStats } from '../metrics';
import { openExportFromCommand } from '../metrics/export';
import { showHelp } from './help';
import type { SubcommandHandler } from './types';

export type { SubcommandHandler, WhatsAppCommandArgs } from './types';

/** `/whatsapp <subcommand> …`: one line per subcommand. */
export const subcommands: Record<string, SubcommandHandler> = {
  connect: openConnectFromCommand,
  accounts: showAccountsFromCommand,
  help: (args) => showHelp(args),
  templates: openTemplatesFromCommand,
  send: openSendTemplateFromCommand,
  expiring: showExpiring,
  queue: showQueue,
  replies: openSavedRepliesFromCommand,
  stats: showStats,
  export: openExportFromCommand,
};

/** Splits the command text into the subcommand and its words; the subcommand is case-insensitive. */
export function parseCommandText(text: string): { name: string; words: string[] } {
  const [first = '', ...words] = text.trim().split(/\s+/).filter(Boolean);
  return { name: first.toLowerCase(), words };
}

export function registerCommands(app: App, deps: Deps): void {
  app.command('/whatsapp', async (args) => {
    // Slack wants an answer within 3 s; every handler replies through respond() or a modal.
    await args.ack();
    const { name, words } = parseCommandText(args.command.text);
    const handler = Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
    if (handler) await handler({ ...args, deps, words });
    else await showHelp({ ...args, deps, words }, name || undefined);
  });
}
