import type { Strings } from '../index';

/** Indonesian strings for accounts. */
export const accounts: Strings['accounts'] = {};
