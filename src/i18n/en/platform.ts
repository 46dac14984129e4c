import { intl } from './common';

/**
 * English strings for what Meta changed on the platform: customers' marketing opt-outs, template
 * re-categorisation and quality, BSPs on the Cloud API and the retired On-Premises API.
 * `when` values are Slack date tokens, shown in the reader's time zone.
 */
export const platform = {
  intl,
  // ---- marketing opt-outs (user_preferences), in the thread and on its root
  marketingStopped: (when: string) => `The customer stopped marketing messages on WhatsApp ${when}. Marketing templates will not be sent to them.`,
  marketingResumed: (when: string) => `The customer resumed marketing messages on WhatsApp ${when}.`,
  headerMarketingStopped: 'Stopped marketing messages',
  sendOptedOut:
    'This customer has stopped marketing messages from you on WhatsApp, so a MARKETING template cannot be sent to them. Choose a utility template, or wait until they resume.',

  // ---- template changes Meta announces, to the template's creator
  categoryChanged: (p: { templateName: string; language: string; accountName: string; from: string; to: string }) =>
    `:label: WhatsApp re-categorised your template *${p.templateName}* (${p.language}) of *${p.accountName}* from ${p.from} to *${p.to}*. This changes what each message costs.`,
  categoryPlanned: (p: { templateName: string; language: string; accountName: string; from: string; to: string; when?: string }) =>
    `:label: WhatsApp will re-categorise your template *${p.templateName}* (${p.language}) of *${p.accountName}* from ${p.from} to *${p.to}*` +
    (p.when ? ` on ${p.when}.` : '.') +
    ' This changes what each message costs.',
  qualityChanged: (p: { templateName: string; language: string; accountName: string; from?: string; to: string }) =>
    `:bar_chart: The quality of your template *${p.templateName}* (${p.language}) of *${p.accountName}* is now *${p.to}*` +
    (p.from ? ` (was ${p.from}).` : '.') +
    (p.to === 'RED' ? ' Customers are blocking or reporting it: WhatsApp may pause it soon.' : ''),
  unknownCategory: 'unknown',
  quality: (score: string) => `Quality: ${score}`,
  categoryWillChange: (p: { to: string; when?: string }) => (p.when ? `Becomes ${p.to} on ${p.when}` : `Becomes ${p.to} soon`),

  // ---- BSP accounts and retired On-Premises ones
  kindBsp: 'BSP (Cloud API through a provider)',
  kindBspHint: 'E.g. 360dialog: the Cloud API from its own URL, with its own API key.',
  fieldApiKeyHeader: 'API key header',
  invalidHeader: 'Give a header name without spaces, e.g. D360-API-KEY.',
  fieldApiKeyHeaderHint: "The request header that carries the API key. 360dialog's is D360-API-KEY.",
  bspFieldsHint:
    'For a BSP: the API URL is the provider\'s base URL (360dialog: https://waba-v2.360dialog.io), the token is its API key, and the phone number ID is only needed when the provider puts it in the path.',
  bspTemplatesHint:
    'Templates: give the WABA ID if your provider serves the Cloud API template endpoints (/<WABA ID>/message_templates); otherwise manage templates in the provider console.',
  bspNoTemplates:
    'This BSP account has no WhatsApp Business Account ID, so wadesk cannot list or manage its templates: create them in your provider console. If your provider serves the Cloud API template endpoints, an admin can add the WABA ID in Settings → *Move to Cloud API or BSP*.',
  retired: 'Retired by Meta on 2025-10-23',
  retiredExplained:
    'Meta shut down the On-Premises API on 2025-10-23: this account receives and sends nothing any more. Its channel, conversations and templates are kept: click *Move to Cloud API or BSP* to carry on with them.',
  moveButton: 'Move to Cloud API or BSP',
  moveTitle: 'Move account',
  moveSubmit: 'Move',
  moveIntro: (name: string) =>
    `Move *${name}* to the Cloud API or to a BSP that serves it. The account keeps its channel, conversations and templates; its webhook URL changes, so set the new one afterwards.`,
  moved: (name: string) => `*${name}* now uses its new API. Set the webhook URL shown below at Meta or at your provider.`,
  retiredNoSend: 'This account used the On-Premises API, which Meta retired on 2025-10-23: nothing can be sent until an admin moves it to the Cloud API or a BSP.',
  adminWhatMove: 'move WhatsApp accounts',
};
