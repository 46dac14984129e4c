import type { Strings } from '../index';

/** Indonesian strings for templates. */
export const templates: Strings['templates'] = {};
