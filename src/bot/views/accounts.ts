import type { ActionsBlock, Button, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import type { AccountSummary } from '../../accounts/service';
import { DEFAULT_BSP_KEY_HEADER, unknownKind } from '../../whatsapp/provider';
import {
  CHANNEL_LOCALES,
  DEFAULT_CLOUD_API_URL,
  NAME_MAX,
  type AccountField,
  type ConnectFormValues,
  type FieldErrors,
  type FieldProblem,
} from '../../accounts/form';
import type { Strings } from '../../i18n';
import { SAVED_REPLY_ACTIONS } from './saved-replies';
import { pageOf, pagerBlocks, viewTitle } from './limits';

/**
 * Block Kit for WhatsApp accounts: the list, the connect and settings modals.
 * Pure functions from data to blocks. No secret ever goes in: the views only
 * see AccountSummary (masks) and form values without the token.
 */

export const ACCOUNT_CALLBACKS = { connect: 'accounts.connect', settings: 'accounts.settings', move: 'accounts.move.submit' } as const;
export const ACCOUNT_ACTIONS = {
  add: 'accounts.add',
  toggle: 'accounts.toggle',
  settings: 'accounts.settings',
  disconnect: 'accounts.disconnect',
  /** Opens the move form (another API for the same account); value = account id. */
  move: 'accounts.move',
  /** A pager button; the action_id ends in the page to show. */
  page: 'accounts.page',
  /** Handled by the templates feature; value = account id. */
  templates: 'templates.open',
} as const;
/** Every input's action_id; the block_id is the AccountField. */
export const INPUT_ACTION = 'value';

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

export function fieldErrorText(t: Strings, problem: FieldProblem): string {
  const e = t.accounts.errors;
  const p = problem.params ?? {};
  switch (problem.code) {
    case 'required':
    case 'invalid_url':
    case 'digits_only':
    case 'unreachable':
    case 'not_whatsapp_api':
      return e[problem.code];
    case 'too_long':
      return e.too_long(p.max ?? String(NAME_MAX));
    case 'duplicate_name':
      return e.duplicate_name(p.name ?? '');
    case 'invalid_header':
      return t.platform.invalidHeader;
    case 'token_rejected':
    case 'token_lacks_permission':
    case 'phone_number_unknown':
    case 'api_error':
      return e[problem.code](p.detail ?? '', p.code ?? '');
  }
}

/** The `errors` object of a `response_action: 'errors'` ack: block_id → text. */
export function fieldErrorsResponse(t: Strings, errors: FieldErrors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, problem] of Object.entries(errors)) if (problem) out[field] = fieldErrorText(t, problem);
  return out;
}

// ---- the list -------------------------------------------------------------------

export interface AccountListOptions {
  /** Admins see the webhook URL, verify token and the buttons that change things. */
  isAdmin: boolean;
  /** Shown above the list after a change, e.g. "Successfully updated!". */
  notice?: string;
  /** Zero-based; a long list pages (see ACCOUNT_LIST_BUDGET). */
  page?: number;
}

/**
 * Blocks one page of accounts may take (an account takes at most 5): with the notice, header, Add
 * button and pager it stays within a message's 50 and leaves the Home tab room for the other sections (see home.ts).
 */
export const ACCOUNT_LIST_BUDGET = 24;

export function kindLabel(t: Strings, a: Pick<AccountSummary, 'kind'>): string {
  switch (a.kind) {
    case 'cloud':
      return t.accounts.kindCloud;
    case 'bsp':
      return t.platform.kindBsp;
    case 'onprem':
      return `${t.accounts.kindOnprem} (${t.platform.retired})`;
    default:
      return unknownKind(a.kind);
  }
}

function numberText(t: Strings, a: AccountSummary): string {
  if (!a.displayPhoneNumber) return `_${t.accounts.noNumber}_`;
  return a.verifiedName ? `${a.displayPhoneNumber} (${a.verifiedName})` : a.displayPhoneNumber;
}

/** One account: name, number, status, channel; then webhook details and buttons for admins. */
export function accountBlocks(t: Strings, a: AccountSummary, isAdmin: boolean): KnownBlock[] {
  const s = t.accounts;
  const status = a.retired
    ? `:no_entry: ${t.platform.retired}`
    : a.enabled
      ? `:large_green_circle: ${s.statusOn}`
      : `:white_circle: ${s.statusOff}`;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: `account.${a.id}`,
      text: mrkdwn(
        [
          `*${escape(a.name)}*`,
          `${s.number}: ${numberText(t, a)}`,
          `${s.status}: ${status}   ${s.channel}: <#${a.channelId}>   ${s.api}: ${kindLabel(t, a)}   ${s.language}: ${s.localeNames[a.locale]}`,
        ].join('\n'),
      ),
    },
  ];
  if (a.retired) blocks.push({ type: 'context', elements: [mrkdwn(t.platform.retiredExplained)] });
  else if (!a.enabled) blocks.push({ type: 'context', elements: [mrkdwn(s.offExplained)] });
  if (isAdmin && a.webhookUrl) {
    const details = [`${s.webhookUrl}: \`${a.webhookUrl}\``];
    if (a.verifyToken) details.push(`${s.verifyToken}: \`${a.verifyToken}\``);
    // The secret-URL help (written for gateways that cannot sign) is the BSP's case.
    details.push(a.verifyToken ? s.webhookHelpCloud : s.webhookHelpOnprem);
    blocks.push({ type: 'context', elements: [mrkdwn(details.join('\n'))] });
  }
  blocks.push(accountActions(t, a, isAdmin));
  return blocks;
}

function accountActions(t: Strings, a: AccountSummary, isAdmin: boolean): ActionsBlock {
  const s = t.accounts;
  const templates: Button = { type: 'button', action_id: ACCOUNT_ACTIONS.templates, text: plain(s.templatesButton), value: a.id };
  if (!isAdmin) return { type: 'actions', block_id: `account.${a.id}.actions`, elements: [templates] };
  const settings: Button = a.retired
    ? { type: 'button', action_id: ACCOUNT_ACTIONS.move, text: plain(t.platform.moveButton), value: a.id, style: 'primary' }
    : { type: 'button', action_id: ACCOUNT_ACTIONS.settings, text: plain(s.settingsButton), value: a.id };
  const savedReplies: Button = { type: 'button', action_id: SAVED_REPLY_ACTIONS.manage, text: plain(t.savedReplies.manageButton), value: a.id };
  const toggle: Button = {
    type: 'button',
    action_id: ACCOUNT_ACTIONS.toggle,
    text: plain(a.enabled ? s.toggleOff : s.toggleOn),
    value: a.id,
    ...(a.enabled ? {} : { style: 'primary' as const }),
  };
  const disconnect: Button = {
    type: 'button',
    action_id: ACCOUNT_ACTIONS.disconnect,
    text: plain(s.disconnectButton),
    value: a.id,
    style: 'danger',
    confirm: {
      title: plain(s.disconnectConfirmTitle),
      text: mrkdwn(s.disconnectConfirmText(escape(a.name))),
      confirm: plain(s.disconnectConfirmYes),
      deny: plain(t.common.cancel),
      style: 'danger',
    },
  };
  return {
    type: 'actions',
    block_id: `account.${a.id}.actions`,
    // A retired account has nothing to switch: it neither sends nor receives.
    elements: a.retired ? [settings, templates, savedReplies, disconnect] : [toggle, settings, templates, savedReplies, disconnect],
  };
}

/** The integrations list with its header and, for admins, the Add button. */
export function accountListBlocks(t: Strings, accounts: readonly AccountSummary[], opts: AccountListOptions): KnownBlock[] {
  const s = t.accounts;
  const blocks: KnownBlock[] = [];
  if (opts.notice) blocks.push({ type: 'section', text: mrkdwn(`:white_check_mark: ${opts.notice}`) });
  blocks.push({ type: 'header', text: plain(s.listHeader) });
  if (opts.isAdmin) {
    blocks.push({
      type: 'actions',
      block_id: 'accounts.list.actions',
      elements: [{ type: 'button', action_id: ACCOUNT_ACTIONS.add, text: plain(s.addButton), style: 'primary', value: 'add' }],
    });
  }
  if (accounts.length === 0) {
    blocks.push({ type: 'section', text: mrkdwn(opts.isAdmin ? s.listEmptyAdmin : s.listEmpty) });
    return blocks;
  }
  const page = pageOf(
    accounts.map((a) => [{ type: 'divider' }, ...accountBlocks(t, a, opts.isAdmin)]),
    ACCOUNT_LIST_BUDGET,
    opts.page ?? 0,
  );
  blocks.push(...page.blocks, ...pagerBlocks(t.common.pager, ACCOUNT_ACTIONS.page, page));
  return blocks;
}

/** The list as a (ephemeral) message. */
export function accountListMessage(t: Strings, accounts: readonly AccountSummary[], opts: AccountListOptions) {
  const text = opts.notice ? `${opts.notice} ${t.accounts.listText(accounts.length)}` : t.accounts.listText(accounts.length);
  return { text, blocks: accountListBlocks(t, accounts, opts) };
}

/** The list in a modal: after a connect, a settings save, or a button clicked in that modal. */
export function accountListModal(
  t: Strings,
  accounts: readonly AccountSummary[],
  opts: AccountListOptions & { title: string; lead?: KnownBlock[] },
): ModalView {
  return {
    type: 'modal',
    title: viewTitle(opts.title),
    close: plain(t.common.done),
    blocks: [...(opts.lead ?? []), ...accountListBlocks(t, accounts, opts)],
  };
}

/** Shown after a successful connect: the list, whose entry has what to paste into Meta. */
export function connectedModal(t: Strings, account: AccountSummary, accounts: readonly AccountSummary[]): ModalView {
  return accountListModal(t, accounts, {
    isAdmin: true,
    title: t.accounts.connectedTitle,
    // Not the account's own blocks again: block_ids must be unique in a view, and the list holds it.
    lead: [{ type: 'section', text: mrkdwn(`:white_check_mark: ${t.accounts.connectedText(escape(account.name))}`) }],
  });
}

// ---- modals ---------------------------------------------------------------------

function textInput(
  field: AccountField,
  label: string,
  opts: { hint?: string; initial?: string; optional?: boolean; maxLength?: number; placeholder?: string },
): KnownBlock {
  return {
    type: 'input',
    block_id: field,
    label: plain(label),
    optional: opts.optional ?? false,
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      ...(opts.initial ? { initial_value: opts.initial } : {}),
      ...(opts.maxLength ? { max_length: opts.maxLength } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
  };
}

function channelInput(t: Strings, initial: string | undefined): KnownBlock {
  return {
    type: 'input',
    block_id: 'channel',
    label: plain(t.accounts.fieldChannel),
    hint: plain(t.accounts.fieldChannelHint),
    element: {
      type: 'conversations_select',
      action_id: INPUT_ACTION,
      ...(initial ? { initial_conversation: initial } : { default_to_current_conversation: true }),
      filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: true },
    },
  };
}

/** What wadesk posts in the channel is in this language; an unknown value shows English. */
function localeInput(t: Strings, initial: string | undefined): KnownBlock {
  const options: PlainTextOption[] = CHANNEL_LOCALES.map((locale) => ({ text: plain(t.accounts.localeNames[locale]), value: locale }));
  const initialOption = options.find((o) => o.value === initial) ?? options[0];
  return {
    type: 'input',
    block_id: 'locale',
    label: plain(t.accounts.fieldLocale),
    hint: plain(t.accounts.fieldLocaleHint),
    element: { type: 'static_select', action_id: INPUT_ACTION, options, ...(initialOption ? { initial_option: initialOption } : {}) },
  };
}

function problemBlock(text: string): KnownBlock {
  return { type: 'context', elements: [mrkdwn(`:warning: ${text}`)] };
}

export interface ConnectModalOptions {
  privateMetadata: string;
  /** The move form of this account: only how it reaches the API is asked, the rest it keeps. */
  move?: { accountName: string };
  /** Values to show again; the token and app secret are never put back. `locale` starts as the admin's own. */
  values?: Omit<ConnectFormValues, 'token' | 'appSecret'>;
  /** After a slow check failed, errors can only be shown inside the form. */
  errors?: FieldErrors;
}

export function connectModal(t: Strings, opts: ConnectModalOptions): ModalView {
  const s = t.accounts;
  const v = opts.values ?? {};
  const p = t.platform;
  const kindOptions: PlainTextOption[] = [
    { text: plain(s.kindCloud), description: plain(s.kindCloudHint), value: 'cloud' },
    { text: plain(p.kindBsp), description: plain(p.kindBspHint), value: 'bsp' },
  ];
  const initialKind = kindOptions.find((o) => o.value === v.kind) ?? kindOptions[0];
  const errorsFor = (field: AccountField): KnownBlock[] => {
    const problem = opts.errors?.[field];
    return problem ? [problemBlock(fieldErrorText(t, problem))] : [];
  };
  const blocks: KnownBlock[] = [];
  if (opts.errors && Object.keys(opts.errors).length > 0) {
    blocks.push(problemBlock(`*${s.formProblem}* ${s.reenterSecrets}`));
  } else {
    blocks.push({ type: 'section', text: mrkdwn(opts.move ? p.moveIntro(escape(opts.move.accountName)) : s.connectIntro) });
  }
  if (!opts.move) blocks.push(textInput('name', s.fieldName, { hint: s.fieldNameHint, initial: v.name, maxLength: NAME_MAX }), ...errorsFor('name'));
  blocks.push(
    {
      type: 'input',
      block_id: 'kind',
      label: plain(s.fieldKind),
      element: { type: 'radio_buttons', action_id: INPUT_ACTION, options: kindOptions, ...(initialKind ? { initial_option: initialKind } : {}) },
    },
    { type: 'context', elements: [mrkdwn(p.bspFieldsHint)] },
    textInput('api_url', s.fieldApiUrl, { hint: s.fieldApiUrlHint, initial: v.apiUrl ?? DEFAULT_CLOUD_API_URL }),
    ...errorsFor('api_url'),
    textInput('token', s.fieldToken, { hint: s.fieldTokenHint }),
    ...errorsFor('token'),
    // Read only for a BSP; 360dialog's default is filled in so most admins need not touch it.
    textInput('api_key_header', p.fieldApiKeyHeader, { hint: p.fieldApiKeyHeaderHint, initial: v.apiKeyHeader ?? DEFAULT_BSP_KEY_HEADER, optional: true, maxLength: 100 }),
    ...errorsFor('api_key_header'),
    textInput('phone_number_id', s.fieldPhoneNumberId, { hint: s.fieldPhoneNumberIdHint, initial: v.phoneNumberId, optional: true }),
    ...errorsFor('phone_number_id'),
    textInput('waba_id', s.fieldWabaId, { hint: `${s.fieldWabaIdHint} ${p.bspTemplatesHint}`, initial: v.wabaId, optional: true }),
    ...errorsFor('waba_id'),
    textInput('app_secret', s.fieldAppSecret, { hint: s.fieldAppSecretHint, optional: true }),
    ...errorsFor('app_secret'),
  );
  if (!opts.move) blocks.push(channelInput(t, v.channelId), ...errorsFor('channel'), localeInput(t, v.locale), ...errorsFor('locale'));
  return {
    type: 'modal',
    callback_id: opts.move ? ACCOUNT_CALLBACKS.move : ACCOUNT_CALLBACKS.connect,
    private_metadata: opts.privateMetadata,
    title: viewTitle(opts.move ? p.moveTitle : s.connectTitle),
    submit: plain(opts.move ? p.moveSubmit : s.connectSubmit),
    close: plain(t.common.cancel),
    blocks,
  };
}

export interface SettingsModalOptions {
  privateMetadata: string;
  /** Values to show again instead of the stored ones (after a slow check failed). */
  values?: { name?: string; enabled?: boolean; channelId?: string; locale?: string };
  errors?: FieldErrors;
}

export function settingsModal(t: Strings, account: AccountSummary, opts: SettingsModalOptions): ModalView {
  const s = t.accounts;
  const enabled = opts.values?.enabled ?? account.enabled;
  const on: PlainTextOption = { text: plain(s.enabledOn), value: 'on' };
  const off: PlainTextOption = { text: plain(s.enabledOff), value: 'off' };
  const errorsFor = (field: AccountField): KnownBlock[] => {
    const problem = opts.errors?.[field];
    return problem ? [problemBlock(fieldErrorText(t, problem))] : [];
  };
  const blocks: KnownBlock[] = [];
  if (opts.errors && Object.keys(opts.errors).length > 0) blocks.push(problemBlock(`*${s.formProblem}*`));
  blocks.push(
    { type: 'section', text: mrkdwn(`*${escape(account.name)}* · ${kindLabel(t, account)} · ${numberText(t, account)}`) },
    {
      type: 'actions',
      block_id: 'settings.move',
      elements: [{ type: 'button', action_id: ACCOUNT_ACTIONS.move, text: plain(t.platform.moveButton), value: account.id }],
    },
    textInput('name', s.fieldName, { hint: s.fieldNameHint, initial: opts.values?.name ?? account.name, maxLength: NAME_MAX }),
    ...errorsFor('name'),
    {
      type: 'input',
      block_id: 'enabled',
      label: plain(s.fieldEnabled),
      hint: plain(s.offExplained),
      element: { type: 'radio_buttons', action_id: INPUT_ACTION, options: [on, off], initial_option: enabled ? on : off },
    },
    channelInput(t, opts.values?.channelId ?? account.channelId),
    ...errorsFor('channel'),
    localeInput(t, opts.values?.locale ?? account.locale),
    ...errorsFor('locale'),
    textInput('token', s.fieldNewToken, { hint: s.fieldNewTokenHint(account.tokenHint), optional: true }),
    ...errorsFor('token'),
    ...errorsFor('api_url'),
  );
  if (account.kind === 'cloud') {
    blocks.push(
      textInput('app_secret', s.fieldNewAppSecret, { hint: s.fieldNewAppSecretHint(account.appSecretHint), optional: true }),
      ...errorsFor('app_secret'),
    );
  }
  return {
    type: 'modal',
    callback_id: ACCOUNT_CALLBACKS.settings,
    private_metadata: opts.privateMetadata,
    title: viewTitle(s.settingsTitle),
    submit: plain(s.settingsSubmit),
    close: plain(t.common.cancel),
    blocks,
  };
}

/** Shown while a slow credential check runs; updated when it ends. */
export function checkingModal(t: Strings, privateMetadata: string): ModalView {
  return {
    type: 'modal',
    private_metadata: privateMetadata,
    title: viewTitle(t.accounts.checkingTitle),
    close: plain(t.common.close),
    blocks: [{ type: 'section', text: mrkdwn(`:hourglass_flowing_sand: ${t.accounts.checkingText}`) }],
  };
}

/** A modal that only says something, e.g. "only admins can…". */
export function noticeModal(t: Strings, heading: string, text: string): ModalView {
  return { type: 'modal', title: viewTitle(heading), close: plain(t.common.close), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** Slack mrkdwn treats &, < and > as control characters. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
