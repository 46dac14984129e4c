import type { Strings } from '../index';

/** Indonesian strings for conversations. */
export const conversations: Strings['conversations'] = {};
