import { intl } from './common';

/**
 * English strings for business hours, response targets (SLAs) and away replies. `when` values are
 * Slack date tokens (shown in each reader's time zone).
 */
export const sla = {
  intl,
  targetName: { first: 'first response', next: 'next response' },
  minutes: (n: number) => (n === 1 ? '1 minute' : `${n} minutes`),
  warning: (who: string, target: string, minutes: string, when: string) =>
    `${who} The ${target} target (${minutes}) for this customer is breached ${when}. Reply before then.`,
  breach: (who: string, target: string, minutes: string, customer: string) =>
    `${who} The ${target} target (${minutes}) was breached: ${customer} is still waiting for a reply.`,
  breachInThread: (who: string, target: string, minutes: string) =>
    `${who} The ${target} target (${minutes}) was breached: this customer is still waiting for a reply.`,
  openThread: 'Open thread',
  awaySent: (when: string) => `:crescent_moon: Away reply sent by wadesk (outside business hours; open again ${when}):`,
  awaySentNoOpening: ':crescent_moon: Away reply sent by wadesk (outside business hours):',
  headerAway: (when: string) => `Team away, back ${when}`,
  headerAwayNoOpening: 'Team away',
  button: 'Business hours & targets',
  adminWhat: 'change business hours and response targets',
  modal: {
    title: 'Hours & targets',
    submit: 'Save',
    intro: (account: string) => `*${account}*: when the team works, how fast it answers, and who hears when it does not.`,
    formProblem: 'Please correct the fields marked below.',
    timeZone: 'Time zone',
    timeZoneHint: 'An IANA time zone, e.g. Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT).',
    hours: 'Business hours',
    hoursHint: 'One line per day or days, e.g. "Mon-Fri 08:00-17:00", "Sat 09:00-12:00, 13:00-15:00", "Sun 22:00-02:00" (past midnight). Empty: always open.',
    holidays: 'Holidays',
    holidaysHint: 'Dates the team is closed, YYYY-MM-DD, one per line.',
    first: 'First response target (minutes)',
    firstHint: 'From the customer’s first message until the first reply, in business hours.',
    next: 'Next response target (minutes)',
    nextHint: 'From each later customer message until the next reply, in business hours.',
    warn: 'Warn before a breach (minutes)',
    warnHint: 'The thread gets a warning this long before a target is breached; 0: no warning.',
    escalationChannel: 'Escalation channel',
    escalationChannelHint: 'A breach is escalated here; empty: in the conversation’s thread.',
    userGroup: 'User group to mention',
    userGroupHint: 'The group’s ID (S0123ABCD) or its mention <!subteam^S0123ABCD>, e.g. @support-leads.',
    awayReply: 'Away reply',
    awayReplyHint: 'Sent once to a customer who writes outside business hours, while the team is closed. Empty: none.',
    saved: (account: string) => `Business hours and targets of *${account}* saved.`,
  },
  problems: {
    required: 'Required.',
    tooLong: (max: number) => `At most ${max} characters.`,
    invalidTimeZone: 'Not a time zone we know. Use an IANA name such as Asia/Jakarta.',
    badLine: (line: number) => `Line ${line}: write the day(s), then the times, e.g. "Mon-Fri 08:00-17:00".`,
    badDay: (line: number) => `Line ${line}: a day we do not know. Use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or Sen … Min).`,
    badTime: (line: number) => `Line ${line}: a time must be HH:MM from 00:00 to 24:00, as in 08:00-17:00.`,
    emptyRange: (line: number) => `Line ${line}: a range must not start and end at the same time.`,
    overlap: (line: number) => `Line ${line}: overlaps an opening range above it.`,
    badHoliday: (value: string) => `"${value}" is not a date written YYYY-MM-DD.`,
    tooManyHolidays: (max: number) => `At most ${max} holidays.`,
    notMinutes: (min: number, max: number) => `A whole number of minutes from ${min} to ${max}.`,
    warnTooLate: 'Must be less than both targets.',
    badUserGroup: 'Not a user group ID (S0123ABCD) or mention.',
  },
};
