import mongoose, { Schema, type Connection, type InferSchemaType } from 'mongoose';

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

/**
 * The journal lives in a database of its own beside the main one, `<name>_journal`. The embedded
 * database keeps each database in one SQLite file that one transaction at a time may write: there,
 * the appends a webhook's 200 waits for would queue behind ingest's writes. On a MongoDB server it
 * costs nothing, but its user needs both databases.
 */
export function journalDatabase(): Connection {
  return mongoose.connection.useDb(`${mongoose.connection.name}_journal`, { useCache: true });
}

/** Journal entries, in the journal's database of the connection as it is now. */
export function journalEntries() {
  return journalDatabase().model('JournalEntry', journalSchema);
}

/** Journal holders, beside the entries. */
export function journalHolders() {
  return journalDatabase().model('JournalHolder', journalHolderSchema);
}
