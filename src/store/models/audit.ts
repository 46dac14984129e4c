import { Schema, model, type InferSchemaType } from 'mongoose';

/** Who changed what and when; secrets appear only masked. */
const auditSchema = new Schema(
  {
    teamId: { type: String, required: true },
    actorId: { type: String, required: true },
    action: { type: String, required: true },
    subject: { type: String, required: true },
    accountId: { type: String },
    before: { type: Schema.Types.Mixed },
    after: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
auditSchema.index({ teamId: 1, at: -1 });

export type AuditEntry = InferSchemaType<typeof auditSchema>;
export const AuditModel = model('AuditEntry', auditSchema);
