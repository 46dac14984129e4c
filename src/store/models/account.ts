import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** A connected WhatsApp Business API account and where its conversations go in Slack. */
const accountSchema = new Schema(
  {
    teamId: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 80 },
    /** Lower-cased name: names are unique per workspace regardless of case. */
    nameKey: { type: String, required: true },
    kind: { type: String, required: true, enum: ['cloud', 'onprem'] },
    apiUrl: { type: String, required: true },
    tokenSealed: { type: String, required: true },
    tokenHint: { type: String, required: true },
    phoneNumberId: { type: String },
    wabaId: { type: String },
    appSecretSealed: { type: String },
    appSecretHint: { type: String },
    /** Meta's hub.verify_token for Cloud API; the URL secret for On-Premises webhooks. */
    verifyTokenSealed: { type: String, required: true },
    displayPhoneNumber: { type: String },
    verifiedName: { type: String },
    qualityRating: { type: String },
    channelId: { type: String, required: true },
    /** The ON/OFF switch: off still stores inbound messages but posts and sends nothing. */
    enabled: { type: Boolean, required: true, default: true },
    /** The language of what wadesk posts in this account's channel (thread headers, notices, digests). */
    locale: { type: String, enum: ['en', 'id'], required: true, default: 'en' },
    state: { type: String, required: true, enum: ['connected', 'disconnected'], default: 'connected' },
    createdBy: { type: String, required: true },
  },
  { timestamps: true },
);
accountSchema.index({ teamId: 1, nameKey: 1 }, { unique: true });

export type Account = InferSchemaType<typeof accountSchema>;
export type AccountDocument = HydratedDocument<Account>;
export const AccountModel = model('Account', accountSchema);
