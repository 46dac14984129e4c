import { isRetired } from '../accounts/kind';
import { findTeamTemplate, type Actor } from '../accounts/team';
import type { Deps } from '../context';
import { customerAt } from '../domain/customer';
import {
  bodyVariableCount,
  headerVariableCount,
  renderTemplate,
  templateSendComponents,
  type RenderedTemplate,
  type TemplateValues,
} from '../domain/templates';
import { sentTemplateMessage } from '../bot/views/templates';
import { enqueueThreadPost } from '../conversations/threads';
import { strings } from '../i18n';
import { findConversationByCustomer, recordReply, upsertConversation } from '../store/conversations';
import type { AccountDocument } from '../store/models';
import { insertMessage } from '../store/messages';
import type { StoredTemplate } from '../store/templates';
import { accountProvider } from '../accounts/provider';
import { auditTemplateChange } from './audit';
import { toWhatsAppFailure, type WhatsAppFailure } from './failures';

export type SendRefusal = 'not_found' | 'not_sendable' | 'account_off' | 'retired' | 'opted_out';

/** A variable left empty: `part` header or body, `variable` counted from 1. */
export interface MissingValue {
  part: 'header' | 'body';
  variable: number;
}

export type SendOutcome =
  | { ok: true; wamid: string; rendered: RenderedTemplate; conversationId: string }
  | { ok: false; missing: MissingValue[] }
  | { ok: false; refused: SendRefusal }
  | { ok: false; failure: WhatsAppFailure };

/** WhatsApp wants a number in international format without `+`; people type spaces and dashes. */
export function normalizeWaId(input: string): string | undefined {
  const digits = input.replace(/[\s().-]/g, '').replace(/^\+/, '');
  return /^[1-9][0-9]{7,14}$/.test(digits) ? digits : undefined;
}

export function missingValues(template: Pick<StoredTemplate, 'header' | 'body'>, values: TemplateValues): MissingValue[] {
  const missing: MissingValue[] = [];
  if (headerVariableCount(template.header ?? undefined) > 0 && !values.header?.trim()) missing.push({ part: 'header', variable: 1 });
  const count = bodyVariableCount(template.body);
  for (let n = 1; n <= count; n++) if (!values.body[n - 1]?.trim()) missing.push({ part: 'body', variable: n });
  return missing;
}

export function renderStored(template: Pick<StoredTemplate, 'header' | 'body' | 'footer'>, values: TemplateValues): RenderedTemplate {
  return renderTemplate(
    { header: template.header ?? undefined, body: template.body, footer: template.footer ?? undefined },
    values,
  );
}

/** For the preview while typing: values not filled in yet keep their {{n}}. */
export function renderPreview(template: Pick<StoredTemplate, 'header' | 'body' | 'footer'>, values: TemplateValues): RenderedTemplate {
  const or = (value: string | undefined, n: number) => (value?.trim() ? value : `{{${n}}}`);
  return renderStored(template, {
    body: values.body.map((v, i) => or(v, i + 1)),
    ...(values.header !== undefined ? { header: or(values.header, 1) } : {}),
  });
}

/**
 * Whether the customer stopped marketing messages (Meta's `user_preferences`) and the template is
 * one: WhatsApp would refuse it (and bill nothing), and the customer asked not to get them.
 */
async function optedOut(accountId: AccountDocument['_id'], category: string, address: string): Promise<boolean> {
  if (category !== 'MARKETING') return false;
  const conversation = await findConversationByCustomer(accountId, address);
  return conversation?.marketingPreference === 'stop';
}

/**
 * Sends an approved, switched-on template. Allowed outside the 24-hour window;
 * it never moves the window (only the customer's messages do). The message is
 * stored and posted into the conversation's thread through the outbox. The
 * template is looked up within the actor's workspace and must be the account's.
 */
export async function sendTemplateMessage(
  deps: Pick<Deps, 'secrets' | 'clock' | 'logger'>,
  actor: Actor,
  input: { accountId: string; templateId: string; waId: string; values: TemplateValues },
): Promise<SendOutcome> {
  const found = await findTeamTemplate(actor.teamId, input.templateId, input.accountId);
  if (!found) return { ok: false, refused: 'not_found' };
  const { account, template } = found;
  const userId = actor.userId;
  if (!account.enabled) return { ok: false, refused: 'account_off' };
  if (isRetired(account)) return { ok: false, refused: 'retired' };
  if (template.status !== 'APPROVED' || !template.enabled) return { ok: false, refused: 'not_sendable' };
  const count = bodyVariableCount(template.body);
  const values: TemplateValues = {
    body: input.values.body.slice(0, count).map((v) => v.trim()),
    ...(headerVariableCount(template.header ?? undefined) > 0 ? { header: input.values.header?.trim() } : {}),
  };
  const missing = missingValues(template, values);
  if (missing.length > 0) return { ok: false, missing };
  if (await optedOut(account._id, template.category, input.waId)) return { ok: false, refused: 'opted_out' };

  let wamid: string;
  try {
    ({ wamid } = await accountProvider(deps, account).sendTemplate(input.waId, {
      name: template.name,
      language: template.language,
      namespace: template.namespace ?? undefined,
      components: templateSendComponents(values),
    }));
  } catch (err) {
    return { ok: false, failure: toWhatsAppFailure(err) };
  }

  const now = deps.clock.now();
  const rendered = renderStored(template, values);
  const conversation = await upsertConversation({ accountId: account._id, customer: customerAt(input.waId), channelId: account.channelId });
  const { message } = await insertMessage({
    key: wamid,
    wamid,
    accountId: account._id,
    conversationId: conversation._id,
    direction: 'outbound',
    type: 'template',
    text: rendered.body,
    content: { template: { name: template.name, language: template.language, values, rendered } },
    sentAt: now,
    sender: { kind: 'slack', id: userId },
    status: 'sent',
    slackChannelId: conversation.channelId ?? account.channelId,
  });
  await recordReply(conversation._id, now, userId);
  await enqueueThreadPost(
    {
      key: `template.sent:${wamid}`,
      conversationId: conversation._id,
      messageId: message._id,
      message: sentTemplateMessage(strings(account.locale).templates, { userId, name: template.name, language: template.language, rendered }),
    },
    now,
  );
  await auditTemplateChange(deps, actor, account, {
    action: 'template.send',
    subject: `conversation:${String(conversation._id)}`,
    after: { template: template.name, language: template.language, wamid },
  });
  deps.logger.info('template sent', { accountId: account.id, name: template.name, conversationId: String(conversation._id) });
  return { ok: true, wamid, rendered, conversationId: String(conversation._id) };
}
