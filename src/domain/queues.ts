/** The inbox queues: which conversations each shows, and how a page of one is cut. Pure. */

export const QUEUES = ['mine', 'unassigned', 'all'] as const;
export type QueueName = (typeof QUEUES)[number];

export function queueNamed(word: string | undefined): QueueName | undefined {
  const lower = word?.toLowerCase();
  return QUEUES.find((q) => q === lower);
}

/**
 * Where a page starts in the two runs a queue is read in: the windows still open, closing soonest
 * first, then the closed ones, waiting longest first. A closed window cannot be missed any more,
 * so those come after every conversation that still can.
 */
export function pageRuns(page: number, size: number, openCount: number): { open: { skip: number; limit: number }; closed: { skip: number; limit: number } } {
  const start = page * size;
  const openLimit = Math.max(0, Math.min(size, openCount - start));
  return {
    open: { skip: Math.min(start, openCount), limit: openLimit },
    closed: { skip: Math.max(0, start - openCount), limit: size - openLimit },
  };
}

/** Pages of `size` for `total` rows: at least one, so an empty queue still shows its title. */
export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}
