import type { Types } from 'mongoose';
import { AccountModel, KeyCheckModel, type Account, type KeyCheck } from './models';

const ID = 'encryption';

/** The stored key check, if any. */
export async function readKeyCheck(): Promise<Pick<KeyCheck, 'value' | 'rotatingTo'> | undefined> {
  return (await KeyCheckModel.findById(ID).lean()) ?? undefined;
}

/** Records the key the secrets are sealed with; `rotatingTo` while a rotation is under way, else cleared. */
export async function writeKeyCheck(value: string, rotatingTo?: string): Promise<void> {
  await KeyCheckModel.updateOne({ _id: ID }, rotatingTo ? { $set: { value, rotatingTo } } : { $set: { value }, $unset: { rotatingTo: 1 } }, { upsert: true });
}

/** Every account field that holds a sealed secret. */
export const SEALED_FIELDS = ['tokenSealed', 'appSecretSealed', 'verifyTokenSealed'] as const;
export type SealedFields = Partial<Pick<Account, (typeof SEALED_FIELDS)[number]>>;

/** One sealed secret, to try a key on; undefined when nothing sealed is stored. */
export async function anySealedSecret(): Promise<string | undefined> {
  return (await AccountModel.findOne({}, { tokenSealed: 1 }).lean())?.tokenSealed;
}

/** Every account's sealed secrets, disconnected ones too (they are kept as history). */
export async function sealedSecrets(): Promise<({ _id: Types.ObjectId } & SealedFields)[]> {
  return AccountModel.find({}, { tokenSealed: 1, appSecretSealed: 1, verifyTokenSealed: 1 }).lean();
}

export async function resealAccount(id: Types.ObjectId, fields: SealedFields): Promise<void> {
  await AccountModel.updateOne({ _id: id }, { $set: fields });
}
