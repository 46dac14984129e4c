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
    /** The instance ingesting it: its `JournalHolder` says whether it still lives. */
    owner: { type: String, required: true },
    /** An entry that could not be read back is left alone until then, for an operator. */
    asideUntil: { type: Date },
  },
  { versionKey: false },
);
journalSchema.index({ owner: 1 });

export type JournalEntry = InferSchemaType<typeof journalSchema>;
export const JournalModel = model('JournalEntry', journalSchema);

/**
 * An instance that holds journal entries, renewed while it lives: one write per
 * renewal however many entries it holds. Past `heldUntil` it is presumed dead,
 * and other instances take its entries over.
 */
const journalHolderSchema = new Schema(
  {
    /** The instance's owner id, as on its entries. */
    _id: { type: String, required: true },
    heldUntil: { type: Date, required: true },
  },
  { versionKey: false },
);

export type JournalHolder = InferSchemaType<typeof journalHolderSchema>;
export const JournalHolderModel = model('JournalHolder', journalHolderSchema);
