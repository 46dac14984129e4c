/** English strings for conversations. */
export const conversations = {};
