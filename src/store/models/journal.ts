import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * A verified WhatsApp webhook delivery, stored as received before it is
 * acknowledged and ingested after. The collection holds only what is still to
 * ingest: an entry goes once its events are stored, so it stays small.
 */
const journalSchema = new Schema(
  {
    /** An ObjectId: entries sort in arrival order by `_id`. */
    _id: { type: Schema.Types.ObjectId, required: true },
    accountId: { type: Schema.Types.ObjectId, required: true, ref: 'Account' },
    /** The body exactly as verified; parsed again when ingested. */
    body: { type: String, required: true },
    /** The instance ingesting it; it renews `heldUntil` while it lives. */
    owner: { type: String, required: true },
    /** Past this, the owner is presumed dead and another instance takes the entry over. */
    heldUntil: { type: Date, required: true },
  },
  { versionKey: false },
);
journalSchema.index({ heldUntil: 1 });
journalSchema.index({ owner: 1 });

export type JournalEntry = InferSchemaType<typeof journalSchema>;
export const JournalModel = model('JournalEntry', journalSchema);
