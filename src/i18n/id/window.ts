import type { Strings } from '../index';

/** Indonesian strings for window. */
export const window: Strings['window'] = {};
