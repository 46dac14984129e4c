/** English strings for messages Slack refused for good ("set aside"). `channel` is a Slack channel mention. */
export const setAside = {
  homeTitle: 'Messages Slack refused',
  homeIntro: 'These were not posted. Fix the cause, then press Retry: each goes back to its thread in order.',
  account: (name: string, count: number) => (count === 1 ? `*${name}*: 1 message set aside` : `*${name}*: ${count} messages set aside`),
  moreAccounts: (count: number) => `…and ${count} more accounts with messages set aside.`,
  retryButton: 'Retry',
  retried: (name: string, count: number) => (count === 1 ? `1 message of ${name} is on its way again.` : `${count} messages of ${name} are on their way again.`),
  nothingToRetry: (name: string) => `Nothing of ${name} is waiting to be retried.`,
  notFound: 'That WhatsApp account no longer exists in this workspace.',
  adminWhat: 'retry messages Slack refused',
  /** Why, in plain words, by Slack's error name. */
  reasons: {
    not_in_channel: (channel: string) => `wadesk is not a member of ${channel}. Invite @wadesk there (type \`/invite @wadesk\` in the channel).`,
    channel_not_found: (channel: string) => `Slack cannot find ${channel} for wadesk: it is private without wadesk in it, or it was deleted. Invite @wadesk, or choose another channel in the account's Settings.`,
    is_archived: (channel: string) => `${channel} is archived. Unarchive it, or choose another channel in the account's Settings.`,
    blocks: () => 'Slack refused the layout of these messages, and their plain text as well.',
    auth: () => "Slack no longer accepts wadesk's token (the app was uninstalled or its token revoked). Reinstall the app.",
    missing_scope: () => 'wadesk lacks a Slack permission it needs. Reinstall the app from its manifest to grant it.',
    other: (error: string) => `Slack refused them (\`${error}\`).`,
  },
  /** The DM to the account's admins. */
  notice: (account: string, reason: string) => `:warning: Messages of the WhatsApp account *${account}* cannot be posted in Slack. ${reason} Then press *Retry* on the app's Home tab.`,
};
