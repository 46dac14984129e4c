import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Deps } from '../../../context';

/**
 * What a `/whatsapp` subcommand handler gets: Bolt's command arguments (already
 * acknowledged, so answer with `respond` or a modal), the service's deps, and
 * the words after the subcommand (`/whatsapp send Sales +62812…` → ['Sales', '+62812…']).
 */
export type WhatsAppCommandArgs = AllMiddlewareArgs & SlackCommandMiddlewareArgs & { deps: Deps; words: string[] };

export type SubcommandHandler = (args: WhatsAppCommandArgs) => Promise<void>;
