import { Schema, isValidObjectId, model, type Types } from 'mongoose';
import { z } from 'zod';
import type { GraphApiTemplate, TemplateButton, TemplateDraft } from '../domain/templates';
import { TEMPLATE_CATEGORIES } from '../domain/templates';
import { TemplateModel, type TemplateDocument } from './models';

/** How templates are stored and found; the only module that queries TemplateModel. */

export type StoredTemplate = TemplateDocument;

/** Buttons are stored as Mixed; parse them back rather than trusting the shape. */
const storedButtonSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: z.string() }),
  z.object({ type: z.literal('URL'), text: z.string(), url: z.string() }),
  z.object({ type: z.literal('PHONE_NUMBER'), text: z.string(), phoneNumber: z.string() }),
]);

export function templateButtons(template: StoredTemplate): TemplateButton[] {
  return template.buttons.flatMap((b: unknown) => {
    const parsed = storedButtonSchema.safeParse(b);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function findTemplateById(id: string): Promise<StoredTemplate | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await TemplateModel.findById(id)) ?? undefined;
}

export async function listTemplatesPage(
  accountId: Types.ObjectId | string,
  page: number,
  pageSize: number,
): Promise<{ templates: StoredTemplate[]; total: number }> {
  const [templates, total] = await Promise.all([
    TemplateModel.find({ accountId })
      .sort({ name: 1, language: 1 })
      .skip(page * pageSize)
      .limit(pageSize),
    TemplateModel.countDocuments({ accountId }),
  ]);
  return { templates, total };
}

/** What agents may pick when sending: approved on WhatsApp and switched on here. */
export async function listSendableTemplates(accountId: Types.ObjectId | string): Promise<StoredTemplate[]> {
  const approved = await TemplateModel.find({ accountId, status: 'APPROVED', enabled: true }).sort({ name: 1, language: 1 });
  // Parts we cannot fill in (media headers, OTP buttons) would only fail at WhatsApp.
  return approved.filter((t) => t.unsupported.length === 0);
}

export async function templateKeys(accountId: Types.ObjectId | string): Promise<{ name: string; language: string }[]> {
  const rows = await TemplateModel.find({ accountId }, { name: 1, language: 1 });
  return rows.map((r) => ({ name: r.name, language: r.language }));
}

export async function allTemplates(accountId: Types.ObjectId | string): Promise<StoredTemplate[]> {
  return TemplateModel.find({ accountId });
}

export async function insertCreatedTemplate(input: {
  accountId: Types.ObjectId;
  draft: TemplateDraft;
  remoteId: string;
  status: string;
  category: string;
  createdBy: string;
}): Promise<StoredTemplate> {
  const { draft } = input;
  return TemplateModel.create({
    accountId: input.accountId,
    remoteId: input.remoteId,
    name: draft.name,
    language: draft.language,
    category: input.category,
    status: input.status,
    header: blankToUndefined(draft.header),
    body: draft.body,
    footer: blankToUndefined(draft.footer),
    buttons: draft.buttons,
    bodyExamples: draft.bodyExamples,
    headerExample: blankToUndefined(draft.headerExample),
    enabled: true,
    createdBy: input.createdBy,
  });
}

/**
 * Inserts or refreshes a template as WhatsApp reports it. The local switch and
 * creator are kept; returns the status before, undefined when it was new.
 */
export async function upsertRemoteTemplate(
  accountId: Types.ObjectId,
  remote: GraphApiTemplate,
  namespace: string | undefined,
): Promise<{ template: StoredTemplate; previousStatus?: string }> {
  const existing = await TemplateModel.findOne({ accountId, name: remote.name, language: remote.language });
  const fields = {
    remoteId: remote.id || undefined,
    category: remote.category,
    status: remote.status,
    rejectedReason: remote.rejectedReason,
    namespace,
    header: remote.header,
    // Media-only templates have an empty body; the schema requires one.
    body: remote.body || ' ',
    footer: remote.footer,
    buttons: remote.buttons,
    bodyExamples: remote.bodyExamples,
    headerExample: remote.headerExample,
    unsupported: remote.unsupported,
  };
  if (existing) {
    const previousStatus = existing.status;
    existing.set(fields);
    // Undefined in set() leaves old values; clear what WhatsApp no longer reports.
    for (const key of ['rejectedReason', 'header', 'footer', 'headerExample', 'namespace', 'remoteId'] as const) {
      if (fields[key] === undefined) existing.set(key, undefined);
    }
    await existing.save();
    return { template: existing, previousStatus };
  }
  const template = await TemplateModel.create({ accountId, name: remote.name, language: remote.language, enabled: true, ...fields });
  return { template };
}

export async function findTemplateByRemote(
  accountId: Types.ObjectId | string,
  remoteId: string | undefined,
  name: string,
  language: string,
): Promise<StoredTemplate | undefined> {
  if (remoteId) {
    const byId = await TemplateModel.findOne({ accountId, remoteId });
    if (byId) return byId;
  }
  return (await TemplateModel.findOne({ accountId, name, language })) ?? undefined;
}

export async function setTemplateEnabled(id: Types.ObjectId, enabled: boolean): Promise<void> {
  await TemplateModel.updateOne({ _id: id }, { $set: { enabled } });
}

export async function removeTemplates(ids: Types.ObjectId[]): Promise<void> {
  if (ids.length > 0) await TemplateModel.deleteMany({ _id: { $in: ids } });
}

export async function removeTemplatesByName(accountId: Types.ObjectId, name: string, language?: string): Promise<void> {
  await TemplateModel.deleteMany(language ? { accountId, name, language } : { accountId, name });
}

function blankToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

// ------------------------------------------------------------------ drafts

/**
 * A draft between the form and the preview. Modals carry at most 3,000
 * characters of private_metadata, less than a full draft, so it waits here.
 */
const templateDraftSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    userId: { type: String, required: true },
    draft: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: true },
);
const TemplateDraftModel = model('TemplateDraft', templateDraftSchema);

const DRAFT_TTL_MS = 24 * 60 * 60 * 1000;

const draftSchema = z.object({
  name: z.string(),
  language: z.string(),
  category: z.enum(TEMPLATE_CATEGORIES),
  header: z.string().optional(),
  body: z.string(),
  footer: z.string().optional(),
  buttons: z.array(storedButtonSchema),
  bodyExamples: z.array(z.string()),
  headerExample: z.string().optional(),
});

export async function saveDraft(accountId: Types.ObjectId, userId: string, draft: TemplateDraft, now: Date): Promise<string> {
  // Abandoned modals leave drafts behind; clear old ones as new ones arrive.
  await TemplateDraftModel.deleteMany({ createdAt: { $lt: new Date(now.getTime() - DRAFT_TTL_MS) } });
  const doc = await TemplateDraftModel.create({ accountId, userId, draft });
  return String(doc._id);
}

export async function loadDraft(id: string): Promise<{ accountId: string; userId: string; draft: TemplateDraft } | undefined> {
  if (!isValidObjectId(id)) return undefined;
  const doc = await TemplateDraftModel.findById(id);
  if (!doc) return undefined;
  const parsed = draftSchema.safeParse(doc.draft);
  if (!parsed.success) return undefined;
  return { accountId: String(doc.accountId), userId: doc.userId, draft: parsed.data };
}

export async function deleteDraft(id: string): Promise<void> {
  if (isValidObjectId(id)) await TemplateDraftModel.deleteOne({ _id: id });
}
