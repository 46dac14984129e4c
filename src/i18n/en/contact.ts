/** English strings for the contact card. `when` values are Slack date tokens. */
export const contact = {
  button: 'Contact',
  title: 'Contact',
  save: 'Save',
  firstSeen: (when: string) => `First seen ${when}`,
  conversations: (count: number) => (count === 1 ? '1 conversation with this workspace' : `${count} conversations with this workspace’s accounts`),
  messages: (inbound: number, outbound: number) => `${inbound} messages from the customer, ${outbound} from the team`,
  optedOut: (when: string) => `:no_bell: Opted out of marketing messages (WhatsApp refused one ${when})`,
  notOptedOut: 'No marketing opt-out known',
  tagsLabel: 'Tags',
  tagsHint: 'Separated by commas or spaces, e.g. vip, reseller. Shown on the thread and usable in /whatsapp queue #tag.',
  notesLabel: 'Notes',
  notesHint: 'For the team only: never sent to the customer.',
  tagsShown: (tags: string) => `:label: ${tags}`,
  issues: {
    tooMany: (max: number) => `At most ${max} tags.`,
    badTag: (tag: string) => `“${tag}” is not a tag: letters, digits, - and _ only.`,
    tooLong: (tag: string, max: number) => `“${tag}” is longer than ${max} characters.`,
    notesTooLong: (max: number) => `At most ${max} characters.`,
  },
};
