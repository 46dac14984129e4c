import { recordInbounds, type Inbound } from '../../src/store/conversations';
import type { ConversationDocument } from '../../src/store/models';

/** One inbound message's `recordInbounds`: whether it moved the window, reopened it, and the conversation after. */
export async function recordInbound(
  conversation: ConversationDocument,
  inbound: Inbound,
  warnMinutes: readonly number[],
): Promise<{ moved: boolean; reopened: boolean; conversation: ConversationDocument }> {
  const [recorded] = await recordInbounds([{ conversation, inbounds: [inbound] }], warnMinutes);
  if (!recorded) throw new Error('no window recorded');
  return { moved: recorded.moves[0]?.moved ?? false, reopened: recorded.moves[0]?.reopened ?? false, conversation: recorded.conversation };
}
