/** English strings for window. */
export const window = {};
