import type { Types } from 'mongoose';

/**
 * All Slack and WhatsApp work of one conversation shares a lane, so it keeps its order:
 * its posts, replies and window alerts alike. The one place that names it.
 */
export function conversationLane(conversationId: Types.ObjectId | string): string {
  return `conversation:${String(conversationId)}`;
}
