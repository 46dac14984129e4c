/** English strings for running the inbox: who owns a conversation, and where it stands. `user` values are Slack mentions. */
export const inbox = {
  status: {
    open: 'Open',
    pending: 'Pending',
    resolved: 'Resolved',
  },
  header: {
    assignedTo: (user: string) => `Assigned to ${user}`,
    unassigned: 'Unassigned',
  },
  claimButton: 'Claim',
  assignButton: 'Assign to…',
  unassignButton: 'Unassign',
  resolveButton: 'Resolve',
  pendingButton: 'Pending',
  reopenButton: 'Reopen',
  assignTitle: 'Assign conversation',
  assignSubmit: 'Assign',
  assignLabel: 'Who handles it',
  assignPlaceholder: 'Pick a person',
  claimed: (name: string) => `You are handling the conversation with ${name} now.`,
  alreadyYours: (name: string) => `You are already handling the conversation with ${name}.`,
  taken: (name: string, user: string) => `${user} is already handling the conversation with ${name}. Ask them, or use *Assign to…* to take it over.`,
  assigned: (name: string, user: string) => `${user} is handling the conversation with ${name} now.`,
  unassigned: (name: string) => `The conversation with ${name} is back in the queue.`,
  statusSet: (name: string, status: string) => `The conversation with ${name} is now ${status}.`,
  unchanged: 'Nothing changed: it already was that way.',
  notMember: 'Only members of the account’s channel and workspace admins can do this.',
  gone: 'This conversation is no longer available.',
  /** DM to whoever was handed a conversation; `link` is a Slack link to the thread. */
  handedToYou: (by: string, name: string, link: string) => `${by} handed you the conversation with ${name}: ${link}`,
  threadLink: 'open the thread',
  /** In the thread, to its assignee, when the customer writes again. */
  reopenedFor: (user: string, name: string, status: string) => `${user} ${name} wrote again: the conversation was ${status} and is open again.`,
};
