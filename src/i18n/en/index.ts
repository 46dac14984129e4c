import { accounts } from './accounts';
import { common } from './common';
import { conversations } from './conversations';
import { templates } from './templates';
import { window } from './window';

export const en = { common, accounts, templates, conversations, window };
