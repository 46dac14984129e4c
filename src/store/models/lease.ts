import { Schema, model, type InferSchemaType } from 'mongoose';

/** A named lock with an expiry checked in code (the database may have no TTL indexes). */
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false },
);

export type Lease = InferSchemaType<typeof leaseSchema>;
export const LeaseModel = model('Lease', leaseSchema);
