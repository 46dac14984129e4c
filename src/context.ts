import type { WebClient } from '@slack/web-api';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Logger } from './log';
import type { ChannelPacer } from './outbox/pacing';
import type { SecretBox } from './security/secrets';

/** What every feature module is handed: built once by the service, never global. */
export interface Deps {
  config: Config;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  /** Bot-token client for work done outside a Slack request (the outbox, cron jobs). */
  slack: WebClient;
  /** Turns for posting into each Slack channel, shared by everything that posts. */
  slackPacer: ChannelPacer;
}
