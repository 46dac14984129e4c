import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * An explicit secondary key: its `_id` is the key (e.g. `conversation:<accountId>:<waId>`),
 * `ref` the document it names. Found by `_id`, the one filter the embedded database
 * answers without reading the whole collection, and made unique by the primary key,
 * whose duplicate insert fails atomically there too (conditional updates do not).
 */
const lookupSchema = new Schema(
  {
    _id: { type: String, required: true },
    ref: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false },
);

export type Lookup = InferSchemaType<typeof lookupSchema>;
export const LookupModel = model('Lookup', lookupSchema);
