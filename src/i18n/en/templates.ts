import type { AccountKind } from '../../accounts/kind';
import { platform } from './platform';

/** English strings for HSM message templates: list, form, preview, delete, send, notices. */

type P = Record<string, string | number>;

const statusNames: Record<string, string> = {
  APPROVED: 'Approved',
  PENDING: 'Pending review',
  REJECTED: 'Rejected',
  PAUSED: 'Paused',
  DISABLED: 'Disabled',
  IN_APPEAL: 'In appeal',
  PENDING_DELETION: 'Being deleted',
  LIMIT_EXCEEDED: 'Limit exceeded',
};

export const templates = {
  // ---- list
  listTitle: 'HSM Templates',
  listHeader: (account: string) => `HSM Templates of *${account}*`,
  listEmpty: 'No templates yet. Click *Add HSM Template* to create one, or *Refresh* to fetch those made in WhatsApp Manager.',
  listCount: (from: number, to: number, total: number) => `Templates ${from}–${to} of ${total}`,
  addButton: 'Add HSM Template',
  refreshButton: 'Refresh',
  deleteButton: 'Delete',
  previousPage: '← Previous',
  nextPage: 'Next →',
  close: 'Close',
  switchOn: 'OFF → switch ON',
  switchOff: 'ON → switch OFF',
  localOn: 'ON',
  localOff: 'OFF',
  status: (status: string) => statusNames[status] ?? status,
  rejectedBecause: (reason: string) => `Reason: ${reason}`,
  notSendable: (parts: string) => `Has parts wadesk cannot send (${parts}).`,
  updated: 'Successfully updated!',
  refreshed: (p: { imported: number; changed: number; removed: number }) =>
    `Refreshed from WhatsApp: ${p.imported} imported, ${p.changed} changed status, ${p.removed} removed.`,
  refreshFailed: (why: string) => `Could not refresh from WhatsApp: ${why}`,
  deleted: (name: string) => `Template *${name}* deleted.`,

  // ---- form
  formTitle: 'Add HSM Template',
  formNext: 'Next',
  cancel: 'Cancel',
  fieldName: 'Name',
  fieldNameHint: 'Lowercase letters, digits and underscores, e.g. order_update.',
  fieldLanguage: 'Language',
  fieldLanguageHint: 'WhatsApp language code, e.g. en_US, id, pt_BR.',
  fieldCategory: 'Category',
  categories: { MARKETING: 'Marketing', UTILITY: 'Utility', AUTHENTICATION: 'Authentication' } as Record<string, string>,
  fieldHeader: 'Header (optional)',
  fieldHeaderHint: 'Text, at most 60 characters; may hold one variable {{1}}.',
  fieldHeaderExample: 'Example for the header variable',
  fieldBody: 'Body',
  fieldBodyHint: 'At most 1,024 characters. Variables are {{1}}, {{2}}, … in order, not at the very start or end, never side by side.',
  fieldFooter: 'Footer (optional)',
  fieldFooterHint: 'At most 60 characters, no variables.',
  fieldButtons: 'Buttons (optional)',
  fieldButtonsHint:
    'One per line, at most 10: "quick_reply | Yes", "url | Track order | https://example.com/track", "phone | Call us | +6281234567890".',
  fieldExamples: 'Examples for the body variables',
  fieldExamplesHint: 'One per line: the first line for {{1}}, the second for {{2}}, … WhatsApp reviews the template with them.',
  whatsappRefused: (p: { message: string; code: string }) => `:warning: WhatsApp refused the template: ${p.message} (code ${p.code})`,
  /** Why templates cannot be managed, by the account's kind; a BSP's and a retired account's reasons are told with the platform changes. */
  unsupported: {
    cloud: 'Templates need the WhatsApp Business Account ID of this account: add it in the account settings.',
    bsp: platform.bspNoTemplates,
    onprem: platform.retiredNoSend,
  } satisfies Record<AccountKind, string>,
  whatsappUnreachable: (p: { message: string }) => `WhatsApp could not be reached: ${p.message}. Please try again.`,

  // ---- preview
  previewTitle: 'Preview',
  previewIntro: 'This is how the message will look with the example values. Click *Submit* to send it to WhatsApp for review.',
  previewMeta: (p: { name: string; language: string; category: string }) => `*${p.name}* · ${p.language} · ${p.category}`,
  back: 'Back',
  submit: 'Submit',
  submitting: 'Submitting to WhatsApp…',
  draftExpired: 'This draft is no longer available. Please start again with *Add HSM Template*.',
  created: (p: { name: string; status: string }) =>
    `Template *${p.name}* was submitted to WhatsApp. Status: *${p.status}*. You will get a message here when WhatsApp approves or rejects it.`,
  doneTitle: 'Template submitted',

  // ---- delete
  deleteTitle: 'Delete template?',
  deleteConfirm: (p: { name: string; language: string }) =>
    `Delete *${p.name}* (${p.language}) on WhatsApp and here? This cannot be undone, and WhatsApp does not let you reuse the name for 30 days.`,
  deleteRefusedTitle: 'Not deleted',
  deleteRefused: (p: { name: string; message: string; code: string }) =>
    `WhatsApp did not delete *${p.name}*: ${p.message} (code ${p.code})`,

  // ---- send
  sendTitle: 'Send template',
  sendButton: 'Send',
  /** `to`: a number with its +, or a business-scoped user ID. */
  sendTo: (to: string) => `To *${to}*. Templates can be sent at any time, also outside the 24-hour window.`,
  sendPick: 'Template',
  sendPickPlaceholder: 'Choose an approved template',
  sendNoTemplates: 'There is no approved template that is switched ON for this account. Create or switch one on in *HSM Templates* (`/whatsapp templates`).',
  sendVariable: (n: number) => `Value for {{${n}}}`,
  sendHeaderVariable: 'Value for the header {{1}}',
  sendPreview: 'Preview',
  sendValueRequired: 'Fill in this value.',
  sendChooseFirst: 'Choose a template first.',
  sendNotSendable: 'This template is no longer approved and switched ON. Choose another one.',
  sendAccountOff: 'This WhatsApp account is switched OFF, so nothing can be sent.',
  sendFailed: (p: { message: string; code: string }) => `WhatsApp did not send the message: ${p.message} (code ${p.code})`,
  sending: 'Sending to WhatsApp…',
  sentTitle: 'Template sent',
  sent: (to: string) => `Sent to ${to}. It is shown in the conversation's thread.`,
  sentInThread: (p: { user: string; name: string; language: string }) => `:outbox_tray: ${p.user} sent the template *${p.name}* (${p.language}):`,
  invalidPhone: (input: string) => `"${input}" is not a phone number in international format, e.g. 6281234567890.`,
  sendUsage: 'Usage: `/whatsapp send <account> <phone>`, e.g. `/whatsapp send Sales 6281234567890`.',

  // ---- access and lookup
  adminOnly: 'Only workspace admins (or the users in ADMIN_USER_IDS) may create, delete or switch templates.',
  channelOnly: (channel: string) => `Only members of <#${channel}> may send templates from this account.`,
  accountNotFound: (name: string) => `No connected WhatsApp account is called "${name}".`,
  accountAmbiguous: 'Several WhatsApp accounts are connected: name one, e.g. `/whatsapp templates Sales`.',
  noAccounts: 'No WhatsApp account is connected yet.',
  templateNotFound: 'That template no longer exists. Click *Refresh*.',
  conversationNotFound: 'That conversation no longer exists.',

  // ---- notices to the creator
  notice: (p: { templateName: string; language: string; status: string; accountName: string; reason?: string }) =>
    p.status === 'APPROVED'
      ? `:white_check_mark: WhatsApp approved your template *${p.templateName}* (${p.language}) of *${p.accountName}*. It can be sent now.`
      : `:x: WhatsApp rejected your template *${p.templateName}* (${p.language}) of *${p.accountName}*` +
        (p.reason ? `. Reason: ${p.reason}.` : '.'),

  // ---- validation issues (codes from domain/templates and the form)
  issues: {
    required: () => 'This field is required.',
    invalid_characters: () => 'Use only lowercase letters, digits and underscores.',
    too_long: (p: P) => `At most ${p.max} characters (this has ${p.length}).`,
    duplicate: (p: P) => `A template "${p.name}" in ${p.language} already exists for this account.`,
    invalid_format: () => 'Use a WhatsApp language code such as en_US or id.',
    invalid: () => 'Choose a category.',
    variable_malformed: (p: P) => `"${p.token}" is not a variable: write {{1}}, {{2}}, …`,
    variables_not_sequential: (p: P) => `Variables must be numbered in order: expected {{${p.expected}}}, found {{${p.found}}}.`,
    variable_at_start: () => 'The body may not start with a variable.',
    variable_at_end: () => 'The body may not end with a variable.',
    variables_adjacent: (p: P) => `${p.first} and ${p.second} are side by side: put text between them.`,
    example_missing: (p: P) =>
      p.part === 'header' ? 'Give an example for the header variable.' : `Give an example for {{${p.variable}}} (line ${p.variable}).`,
    too_many_variables: (p: P) => `At most ${p.max} variable here (found ${p.found}).`,
    variables_not_allowed: () => 'The footer may not contain variables.',
    too_many: (p: P) => `At most ${p.max} buttons (found ${p.found}).`,
    button_text_required: (p: P) => `Button ${p.button} needs a text.`,
    button_text_too_long: (p: P) => `Button ${p.button}: at most ${p.max} characters (this has ${p.length}).`,
    button_url_variable_not_supported: (p: P) => `Button ${p.button}: URLs with variables are not supported.`,
    button_url_invalid: (p: P) => `Button ${p.button}: give a full http(s) URL.`,
    button_phone_invalid: (p: P) => `Button ${p.button}: give the phone number in E.164 format, e.g. +6281234567890.`,
    button_line_invalid: (p: P) => `Line ${p.line} is not a button: write "quick_reply | text", "url | text | URL" or "phone | text | +number".`,
  },
  issueUnknown: (code: string) => `Invalid value (${code}).`,
};
