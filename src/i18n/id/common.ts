import type { Strings } from '../index';

/** Indonesian strings for common. */
export const common: Strings['common'] = {};
