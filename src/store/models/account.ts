import { Schema, model, type InferSchemaType, type HydratedDocument } from 'mongoose';

/** A connected WhatsApp Business API account and where its conversations go in Slack. */
const accountSchema = new Schema(
  {
    teamId: { type: String, required: true },
    name: { type: String, required: true, trim: true, maxlength: 80 },
    /** Lower-cased name: names are unique per workspace regardless of case. */
    nameKey: { type: String, required: true },
    /** `onprem`: the On-Premises API Meta retired on 2025-10-23; kept as history until moved (see accounts/kind.ts). */
    kind: { type: String, required: true, enum: ['cloud', 'bsp', 'onprem'] },
    apiUrl: { type: String, required: true },
    tokenSealed: { type: String, required: true },
    tokenHint: { type: String, required: true },
    phoneNumberId: { type: String },
    wabaId: { type: String },
    /** BSP only: the header that carries the API key (360dialog: D360-API-KEY). */
    apiKeyHeader: { type: String },
    appSecretSealed: { type: String },
    appSecretHint: { type: String },
    /** Meta's hub.verify_token for Cloud API; the URL secret of a BSP's webhooks. */
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
    /** The satisfaction survey sent when a conversation is resolved inside its window (src/domain/csat.ts); unset: none. */
    csat: { type: { question: { type: String, required: true }, options: { type: [String], required: true } }, default: undefined },
    createdBy: { type: String, required: true },
    /**
     * Business hours, response targets, escalation and away reply (see src/sla/settings.ts for the
     * defaults an account without them gets): set in "Business hours & targets" from Settings.
     */
    businessHours: {
      type: new Schema(
        {
          timeZone: { type: String, required: true },
          ranges: { type: [new Schema({ day: Number, start: Number, end: Number }, { _id: false })], default: [] },
          holidays: { type: [String], default: [] },
        },
        { _id: false },
      ),
    },
    responseTargets: {
      type: new Schema({ firstMinutes: Number, nextMinutes: Number, warnMinutes: Number }, { _id: false }),
    },
    /** Where a breached target is escalated: a channel (else the account's), mentioning a user group if set. */
    escalation: { type: new Schema({ channelId: String, userGroupId: String }, { _id: false }) },
    /** Sent once per closed period to a customer writing outside business hours; unset: none. */
    awayReply: { type: String },
  },
  { timestamps: true },
);
accountSchema.index({ teamId: 1, nameKey: 1 }, { unique: true });

export type Account = InferSchemaType<typeof accountSchema>;
export type AccountDocument = HydratedDocument<Account>;
export const AccountModel = model('Account', accountSchema);
