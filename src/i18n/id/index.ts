import type { Strings } from '../index';
import { accounts } from './accounts';
import { common } from './common';
import { contact } from './contact';
import { conversations } from './conversations';
import { inbox } from './inbox';
import { metrics } from './metrics';
import { platform } from './platform';
import { savedReplies } from './saved-replies';
import { setAside } from './set-aside';
import { templates } from './templates';
import { sla } from './sla';
import { window } from './window';

export const id: Strings = { common, accounts, templates, conversations, inbox, savedReplies, contact, window, setAside, platform, sla, metrics };
