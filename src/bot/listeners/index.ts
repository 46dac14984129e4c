import type { App } from '@slack/bolt';
import type { Deps } from '../../context';

/** Wires every Slack listener; each feature folder has its own register function. */
export function registerListeners(app: App, deps: Deps): void {
  void app;
  void deps;
}
