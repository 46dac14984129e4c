/** English strings for accounts. */
export const accounts = {};
