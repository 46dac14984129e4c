import { isValidObjectId } from 'mongoose';
import type { SecretBox } from '../security/secrets';
import { AccountModel, type AccountDocument } from './models';

/** The account with this id, or undefined for an unknown or malformed id. */
export async function findAccount(id: string): Promise<AccountDocument | undefined> {
  if (!isValidObjectId(id)) return undefined;
  return (await AccountModel.findById(id)) ?? undefined;
}

/** Decrypted credentials, for the WhatsApp client only: never log or show them. */
export function accountSecrets(account: AccountDocument, secrets: SecretBox) {
  return {
    token: secrets.open(account.tokenSealed),
    appSecret: account.appSecretSealed ? secrets.open(account.appSecretSealed) : undefined,
    verifyToken: secrets.open(account.verifyTokenSealed),
  };
}
