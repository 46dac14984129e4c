import type { App } from '@slack/bolt';
import type { Deps } from '../../../context';
import { threadMessage } from './thread-message';

export function register(app: App, deps: Deps): void {
  app.event('message', threadMessage(deps));
}
