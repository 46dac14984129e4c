/** English strings for templates. */
export const templates = {};
