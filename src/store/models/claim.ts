import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * One holder's turn on a named resource (an outbox item's attempt, the sweep).
 * Turns are numbered and each number can be inserted once, so the unique _id
 * decides races: conditional updates are not atomic on every MongoDB-wire server.
 */
const claimSchema = new Schema(
  {
    _id: { type: String, required: true },
    resource: { type: String, required: true },
    turn: { type: Number, required: true },
    owner: { type: String, required: true },
    /** Expiry is checked in code: the database may have no TTL indexes. */
    until: { type: Date, required: true },
  },
  { versionKey: false },
);
claimSchema.index({ resource: 1, turn: -1 });

export type Claim = InferSchemaType<typeof claimSchema>;
export const ClaimModel = model('Claim', claimSchema);
