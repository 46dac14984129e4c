import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** An HSM message template of one account, mirrored from WhatsApp, with our local ON/OFF switch. */
const templateSchema = new Schema(
  {
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    remoteId: { type: String },
    name: { type: String, required: true },
    language: { type: String, required: true },
    category: { type: String, required: true },
    status: { type: String, required: true },
    rejectedReason: { type: String },
    namespace: { type: String },
    header: { type: String },
    body: { type: String, required: true },
    footer: { type: String },
    buttons: { type: [Schema.Types.Mixed], default: [] },
    bodyExamples: { type: [String], default: [] },
    headerExample: { type: String },
    /** Parts wadesk cannot send (e.g. `header:IMAGE`), from templates made elsewhere; such templates are listed, never offered for sending. */
    unsupported: { type: [String], default: [] },
    /** Meta's quality score (GREEN, YELLOW, RED, UNKNOWN), from `message_template_quality_update`. */
    quality: { type: String },
    /** A category Meta announced it will switch the template to (`template_category_update`), and when. */
    pendingCategory: { type: String },
    pendingCategoryAt: { type: Date },
    /** Whether agents may pick it when sending. */
    enabled: { type: Boolean, required: true, default: true },
    createdBy: { type: String },
  },
  { timestamps: true },
);
templateSchema.index({ accountId: 1, name: 1, language: 1 }, { unique: true });
templateSchema.index({ remoteId: 1 });

export type Template = InferSchemaType<typeof templateSchema>;
export type TemplateDocument = HydratedDocument<Template>;
export const TemplateModel = model('Template', templateSchema);
