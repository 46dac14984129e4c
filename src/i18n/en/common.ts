/** The BCP 47 tag that times and prices are formatted with for readers of this language. */
export const intl = 'en-GB';

/** Under any list that pages. */
export const pager = {
  previousPage: '← Previous',
  nextPage: 'Next →',
  pageOf: (page: number, pages: number) => `Page ${page} of ${pages}`,
};

/** English strings shared by every feature. */
export const common = {
  appName: 'wadesk',
  cancel: 'Cancel',
  close: 'Close',
  done: 'Done',
  successfullyUpdated: 'Successfully updated!',
  somethingWentWrong: 'Something went wrong. Please try again in a moment.',
  pager,
  notAllowedTitle: 'Not allowed',
  /** `what` is a phrase such as "connect WhatsApp accounts". */
  onlyAdmins: (what: string) =>
    `Only workspace admins and owners can ${what}. Ask one of them, or ask for your user ID to be added to ADMIN_USER_IDS. Nothing was changed.`,
  home: {
    header: 'wadesk: WhatsApp Business in Slack',
    intro: 'Connect your WhatsApp Business accounts, then answer customers from Slack channels.',
  },
  help: {
    title: 'wadesk help',
    intro: 'Use `/whatsapp` followed by one of these:',
    connect: '`/whatsapp connect`: add a WhatsApp Business account (admins only)',
    accounts: '`/whatsapp accounts`: list the connected accounts with ON/OFF, Settings and Disconnect',
    templates: '`/whatsapp templates [account]`: the HSM templates of an account, the messages that can be sent outside the 24-hour window',
    send: '`/whatsapp send <account> <phone>`: send a template to start a conversation',
    expiring: '`/whatsapp expiring`: conversations whose 24-hour window is closing soon',
    replies: '`/whatsapp replies [account]`: manage the account’s saved replies (admins)',
    queue: '`/whatsapp queue [mine|unassigned|all] [account] [#tag]`: open conversations, most urgent first: yours, nobody’s, or all',
    stats: '`/whatsapp stats [account] [7d|30d]`: the team’s metrics, per account and agent (admins)',
    export: '`/whatsapp export`: conversations of a date range as a CSV file, sent to you (admins)',
    help: '`/whatsapp help`: this help',
    home: 'Everything is also on the *Home* tab of the app.',
    unknown: (word: string) => `I don't know \`${word}\`.`,
  },
};
