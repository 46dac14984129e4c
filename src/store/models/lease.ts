import { Schema, model, type InferSchemaType } from 'mongoose';

/** A named job's lease (the window sweep): held by `owner` until `until`, taken over after that. */
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    /** Expiry is checked in code: the database may have no TTL indexes. */
    until: { type: Date, required: true },
  },
  { versionKey: false },
);

export type Lease = InferSchemaType<typeof leaseSchema>;
export const LeaseModel = model('Lease', leaseSchema);
