import { Schema, model, type InferSchemaType } from 'mongoose';

/**
 * The key check value of the key the stored secrets are sealed with, beside them: at start-up a
 * wrong or new key is refused before it fails every webhook. One document, `_id: 'encryption'`.
 */
const keyCheckSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** A one-way function of the key (see `keyCheckValue`): it tells keys apart and reveals nothing of them. */
    value: { type: String, required: true },
    /** Set while a rotation re-encrypts the secrets: some may be sealed with this key already. */
    rotatingTo: { type: String },
  },
  { versionKey: false },
);

export type KeyCheck = InferSchemaType<typeof keyCheckSchema>;
export const KeyCheckModel = model('KeyCheck', keyCheckSchema);
