/** English strings for common. */
export const common = {};
