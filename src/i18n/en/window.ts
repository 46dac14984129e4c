import { intl, pager } from './common';

/**
 * English strings for the 24-hour window. `when` values are Slack date tokens
 * (shown in each reader's time zone); `left` comes from `duration`.
 */
export const window = {
  intl,
  pager,
  duration: (hours: number, minutes: number) =>
    hours === 0 && minutes === 0 ? 'less than a minute' : [hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' '),
  warning: (who: string, left: string, when: string) =>
    `${who} The 24-hour window with this customer closes in *${left}* (${when}). Reply before then, or only a template can reach them.`,
  closed: (when: string) => `The 24-hour window closed ${when} without a reply. Only a template can reach the customer now.`,
  sendTemplate: 'Send template',
  summary: (count: number) => `${count} conversations in this channel have a 24-hour window closing soon:`,
  unknownCustomer: 'Unknown customer',
  /** One row of a list: customer, time left, close time. */
  row: (customer: string, left: string, when: string) => `${customer}: ${left} left (until ${when})`,
  lastMessage: (text: string) => `Last message: ${text}`,
  answered: 'answered',
  openThread: 'Open thread',
  noThread: 'no thread yet',
  more: (count: number) => `…and ${count} more`,
  expiring: {
    title: 'Open 24-hour windows, closing first at the top',
    empty: 'No conversation has an open 24-hour window right now.',
    noAccounts: 'No WhatsApp account is connected yet.',
    account: (name: string) => `*${name}*`,
  },
  home: {
    title: 'Open 24-hour windows',
    empty: 'No open windows right now.',
  },
  digest: {
    title: (account: string, count: number) =>
      count === 1
        ? `Daily digest for ${account}: 1 conversation is still waiting for a reply`
        : `Daily digest for ${account}: ${count} conversations are still waiting for a reply`,
    lastRepliedBy: (mention: string) => `Last replied by ${mention}`,
    nobodyReplied: 'Nobody has replied yet',
    leftOut: (count: number) => `…and ${count} more: see \`/whatsapp expiring\` or the app's Home tab.`,
  },
};
