import { SLACK_LIMITS } from '../../src/bot/views/limits';
import { strings } from '../../src/i18n';

/**
 * The Indonesian table against the English one: the same keys, the same values
 * filled in, and buttons and titles in Indonesian that fit where Slack shows them.
 */

const en = strings('en');
const id = strings('id');

/**
 * A stand-in for any argument: as text it reads ⟦name⟧, and each property of it reads ⟦name.key⟧,
 * so a string function shows which of its values it used whether it takes text, numbers or an object.
 */
function marker(name: string): object {
  const text = `⟦${name}⟧`;
  return new Proxy(
    {},
    {
      get: (_target, key) => (key === Symbol.toPrimitive || key === 'toString' ? () => text : typeof key === 'string' ? `⟦${name}.${key}⟧` : undefined),
    },
  );
}

/** Every leaf of a table by its dotted path; functions are called with markers. */
function leaves(table: object, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(table)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'function') {
      const args = Array.from({ length: Math.max(value.length, 1) }, (_, i) => marker(String(i)));
      found.set(path, String(Reflect.apply(value, undefined, args)));
    } else if (typeof value === 'object' && value !== null) {
      for (const [p, v] of leaves(value, path)) found.set(p, v);
    } else {
      found.set(path, String(value));
    }
  }
  return found;
}

/** What a string fills in or must keep as is: our values, WhatsApp's {{n}}, Slack's emoji, mentions and links. */
function placeholders(text: string): string[] {
  const tokens = text.match(/⟦[^⟧]+⟧|\{\{\d+\}\}|:[a-z_]+:|<[#@!][^>]*>|https?:\/\/[^\s)]+/g) ?? [];
  return [...new Set(tokens)].sort();
}

const enLeaves = leaves(en);
const idLeaves = leaves(id);

describe('the Indonesian and English string tables', () => {
  it('have the same keys', () => {
    expect([...idLeaves.keys()].sort()).toEqual([...enLeaves.keys()].sort());
  });

  it.each([...enLeaves.keys()])('%s fills in the same values in both languages', (path) => {
    expect(placeholders(idLeaves.get(path) ?? '')).toEqual(placeholders(enLeaves.get(path) ?? ''));
  });

  it('the markers see values of every kind: text, numbers and objects', () => {
    expect(enLeaves.get('accounts.listText')).toBe('⟦0⟧ WhatsApp accounts');
    expect(idLeaves.get('templates.deleteConfirm')).toContain('*⟦0.name⟧* (⟦0.language⟧)');
  });
});

/** Where Slack shows a string as a control, and the most it holds there. */
const CONTROLS: Record<string, number> = {
  // modal titles, and their submit and close buttons
  'common.cancel': SLACK_LIMITS.viewTitle,
  'common.close': SLACK_LIMITS.viewTitle,
  'common.done': SLACK_LIMITS.viewTitle,
  'common.notAllowedTitle': SLACK_LIMITS.viewTitle,
  'accounts.connectTitle': SLACK_LIMITS.viewTitle,
  'accounts.connectSubmit': SLACK_LIMITS.viewTitle,
  'accounts.settingsTitle': SLACK_LIMITS.viewTitle,
  'accounts.settingsSubmit': SLACK_LIMITS.viewTitle,
  'accounts.checkingTitle': SLACK_LIMITS.viewTitle,
  'accounts.connectedTitle': SLACK_LIMITS.viewTitle,
  'accounts.savedTitle': SLACK_LIMITS.viewTitle,
  'templates.listTitle': SLACK_LIMITS.viewTitle,
  'templates.formTitle': SLACK_LIMITS.viewTitle,
  'templates.formNext': SLACK_LIMITS.viewTitle,
  'templates.cancel': SLACK_LIMITS.viewTitle,
  'templates.close': SLACK_LIMITS.viewTitle,
  'templates.previewTitle': SLACK_LIMITS.viewTitle,
  'templates.submit': SLACK_LIMITS.viewTitle,
  'templates.doneTitle': SLACK_LIMITS.viewTitle,
  'templates.deleteTitle': SLACK_LIMITS.viewTitle,
  'templates.deleteButton': SLACK_LIMITS.viewTitle,
  'templates.deleteRefusedTitle': SLACK_LIMITS.viewTitle,
  'templates.sendTitle': SLACK_LIMITS.viewTitle,
  'templates.sendButton': SLACK_LIMITS.viewTitle,
  'templates.sentTitle': SLACK_LIMITS.viewTitle,
  'inbox.assignTitle': SLACK_LIMITS.viewTitle,
  'inbox.assignSubmit': SLACK_LIMITS.viewTitle,
  'savedReplies.listTitle': SLACK_LIMITS.viewTitle,
  'savedReplies.formTitle': SLACK_LIMITS.viewTitle,
  'savedReplies.formSave': SLACK_LIMITS.viewTitle,
  'savedReplies.useTitle': SLACK_LIMITS.viewTitle,
  'savedReplies.useSend': SLACK_LIMITS.viewTitle,
  'contact.title': SLACK_LIMITS.viewTitle,
  'contact.save': SLACK_LIMITS.viewTitle,
  'metrics.export.title': SLACK_LIMITS.viewTitle,
  'metrics.export.submit': SLACK_LIMITS.viewTitle,
  // buttons in messages and the Home tab
  'common.pager.previousPage': SLACK_LIMITS.buttonText,
  'common.pager.nextPage': SLACK_LIMITS.buttonText,
  'metrics.exportButton': SLACK_LIMITS.buttonText,
  'metrics.periods.7d': SLACK_LIMITS.buttonText,
  'metrics.periods.30d': SLACK_LIMITS.buttonText,
  'accounts.addButton': SLACK_LIMITS.buttonText,
  'accounts.toggleOn': SLACK_LIMITS.buttonText,
  'accounts.toggleOff': SLACK_LIMITS.buttonText,
  'accounts.settingsButton': SLACK_LIMITS.buttonText,
  'accounts.templatesButton': SLACK_LIMITS.buttonText,
  'accounts.disconnectButton': SLACK_LIMITS.buttonText,
  'templates.addButton': SLACK_LIMITS.buttonText,
  'templates.refreshButton': SLACK_LIMITS.buttonText,
  'templates.switchOn': SLACK_LIMITS.buttonText,
  'templates.switchOff': SLACK_LIMITS.buttonText,
  'templates.previousPage': SLACK_LIMITS.buttonText,
  'templates.nextPage': SLACK_LIMITS.buttonText,
  'templates.back': SLACK_LIMITS.buttonText,
  'conversations.ephemeral.sendTemplate': SLACK_LIMITS.buttonText,
  'window.sendTemplate': SLACK_LIMITS.buttonText,
  'setAside.retryButton': SLACK_LIMITS.buttonText,
  'inbox.claimButton': SLACK_LIMITS.buttonText,
  'inbox.assignButton': SLACK_LIMITS.buttonText,
  'inbox.unassignButton': SLACK_LIMITS.buttonText,
  'inbox.resolveButton': SLACK_LIMITS.buttonText,
  'inbox.pendingButton': SLACK_LIMITS.buttonText,
  'inbox.reopenButton': SLACK_LIMITS.buttonText,
  'savedReplies.manageButton': SLACK_LIMITS.buttonText,
  'savedReplies.useButton': SLACK_LIMITS.buttonText,
  'contact.button': SLACK_LIMITS.buttonText,
  'savedReplies.addButton': SLACK_LIMITS.buttonText,
  'savedReplies.editButton': SLACK_LIMITS.buttonText,
  'savedReplies.deleteButton': SLACK_LIMITS.buttonText,
  'savedReplies.deleteConfirmTitle': SLACK_LIMITS.confirmTitle,
  'savedReplies.deleteConfirmYes': SLACK_LIMITS.confirmButton,
  // confirmation dialogs
  'accounts.disconnectConfirmTitle': SLACK_LIMITS.confirmTitle,
  'accounts.disconnectConfirmYes': SLACK_LIMITS.confirmButton,
  // options of selects and radio buttons
  'accounts.kindCloud': SLACK_LIMITS.optionText,
  'accounts.kindOnprem': SLACK_LIMITS.optionText,
  'accounts.enabledOn': SLACK_LIMITS.optionText,
  'accounts.enabledOff': SLACK_LIMITS.optionText,
  'accounts.localeNames.en': SLACK_LIMITS.optionText,
  'accounts.localeNames.id': SLACK_LIMITS.optionText,
  'templates.categories.MARKETING': SLACK_LIMITS.optionText,
  'templates.categories.UTILITY': SLACK_LIMITS.optionText,
  'templates.categories.AUTHENTICATION': SLACK_LIMITS.optionText,
  'templates.sendPickPlaceholder': SLACK_LIMITS.placeholder,
  'inbox.assignPlaceholder': SLACK_LIMITS.placeholder,
  'savedReplies.pickPlaceholder': SLACK_LIMITS.placeholder,
  // headers
  'common.home.header': SLACK_LIMITS.headerText,
  'window.home.title': SLACK_LIMITS.headerText,
  'setAside.homeTitle': SLACK_LIMITS.headerText,
  'inbox.queues.title': SLACK_LIMITS.headerText,
};

/**
 * Words Indonesian UI keeps as they are: product and protocol names, terms Indonesian products use
 * untranslated, and each language's own name (the language picker shows both in both).
 */
const LOANWORDS = new Set(['wadesk', 'whatsapp', 'slack', 'business', 'meta', 'hsm', 'template', 'token', 'webhook', 'on', 'off', 'api', 'cloud', 'bsp', 'on-premises', 'english', 'bahasa', 'indonesia', 'csv']);

/** Words an English interface puts on controls; none may stay untranslated. */
const ENGLISH_CONTROL_WORDS = new Set(
  'add refresh submit send delete save cancel close back next previous settings disconnect connect retry open home preview done switch account accounts templates marketing utility authentication claim assign unassign resolve pending reopen pick person saved reply replies edit contact'.split(' '),
);

const words = (text: string) => text.toLowerCase().match(/[a-z][a-z-]*/g) ?? [];

describe('Indonesian buttons, titles and options', () => {
  it('name only keys that exist', () => {
    for (const path of Object.keys(CONTROLS)) expect(idLeaves.has(path)).toBe(true);
  });

  it.each(Object.entries(CONTROLS))('%s fits in Slack (%i characters) in both languages', (path, max) => {
    expect((idLeaves.get(path) ?? '').length).toBeLessThanOrEqual(max);
    expect((enLeaves.get(path) ?? '').length).toBeLessThanOrEqual(max);
  });

  it.each(Object.keys(CONTROLS))('%s has no English word but accepted loanwords', (path) => {
    const english = new Set(words(enLeaves.get(path) ?? ''));
    const untranslated = words(idLeaves.get(path) ?? '').filter((w) => (english.has(w) || ENGLISH_CONTROL_WORDS.has(w)) && !LOANWORDS.has(w));
    expect(untranslated).toEqual([]);
  });

  it('catch an English word left on a control', () => {
    const untranslated = words('Add HSM Template').filter((w) => ENGLISH_CONTROL_WORDS.has(w) && !LOANWORDS.has(w));
    expect(untranslated).toEqual(['add']);
  });
});
