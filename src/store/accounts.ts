import { LRUCache } from 'lru-cache';
import type { Types } from 'mongoose';
import type { SecretBox } from '../security/secrets';
import { isDuplicateKey } from './database';
import { AccountModel, type Account, type AccountDocument } from './models';

/** An account id as we hand it out: ObjectId hex, 24 characters. Anything else is no account of ours. */
export function isAccountId(id: string): boolean {
  return /^[0-9a-f]{24}$/i.test(id);
}

/** The account with this id, or undefined for an unknown or malformed id. */
/** These accounts, by id, in no particular order; ids that name none are left out. */
export async function findAccounts(ids: readonly (string | Types.ObjectId)[]): Promise<AccountDocument[]> {
  return AccountModel.find({ _id: { $in: [...new Set(ids.map(String))].filter(isAccountId) } });
}

export async function findAccount(id: string): Promise<AccountDocument | undefined> {
  if (!isAccountId(id)) return undefined;
  return (await AccountModel.findById(id)) ?? undefined;
}

// Only accounts that exist are remembered: a miss is keyed by whoever sent the request, so caching it
// would let unauthenticated callers fill memory. Keys are then our own ids, of fixed length.
const recent = new LRUCache<string, AccountDocument>({ max: 10_000, ttl: 2_000 });

/**
 * `findAccount`, answered from memory for up to two seconds: every webhook names its
 * account, and a read per delivery would cost as much as storing it. Changes made here
 * are seen at once; those made by another instance within the two seconds.
 */
export async function findAccountRecent(id: string): Promise<AccountDocument | undefined> {
  if (!isAccountId(id)) return undefined;
  const key = id.toLowerCase();
  const hit = recent.get(key);
  if (hit) return hit;
  const account = await findAccount(key);
  if (account) recent.set(key, account);
  return account;
}

/** What the cache holds, for tests that bound it. */
export function recentAccountsCached(): { entries: number; keyChars: number } {
  let keyChars = 0;
  for (const key of recent.keys()) keyChars += key.length;
  return { entries: recent.size, keyChars };
}

function forgetRecent(id: string): void {
  recent.delete(id.toLowerCase());
}

/** Decrypted credentials, for the WhatsApp client only: never log or show them. */
export function accountSecrets(account: AccountDocument, secrets: SecretBox) {
  return {
    token: secrets.open(account.tokenSealed),
    appSecret: account.appSecretSealed ? secrets.open(account.appSecretSealed) : undefined,
    verifyToken: secrets.open(account.verifyTokenSealed),
  };
}

/** Names are unique per workspace regardless of case and surrounding spaces. */
export function accountNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Thrown when a workspace already has a connected account with this name. */
export class DuplicateAccountNameError extends Error {
  constructor(readonly accountName: string) {
    super(`an account named "${accountName}" already exists in this workspace`);
    this.name = 'DuplicateAccountNameError';
  }
}

/** Whether the name is taken in the workspace, ignoring `exceptId` (the account being renamed). */
export async function isAccountNameTaken(teamId: string, name: string, exceptId?: string): Promise<boolean> {
  const filter: Record<string, unknown> = { teamId, nameKey: accountNameKey(name) };
  if (exceptId) filter._id = { $ne: exceptId };
  return (await AccountModel.exists(filter)) !== null;
}

export type NewAccount = Omit<Account, 'nameKey' | 'enabled' | 'locale' | 'state' | 'createdAt' | 'updatedAt'> & {
  enabled?: boolean;
  locale?: Account['locale'];
};

/**
 * Saves a new account. The name is checked first because FerretDB does not always
 * report unique-index conflicts as E11000; the index still catches a race.
 */
export async function createAccount(data: NewAccount): Promise<AccountDocument> {
  if (await isAccountNameTaken(data.teamId, data.name)) throw new DuplicateAccountNameError(data.name);
  try {
    return await AccountModel.create({ ...data, nameKey: accountNameKey(data.name), state: 'connected' });
  } catch (err) {
    if (isDuplicateKey(err)) throw new DuplicateAccountNameError(data.name);
    throw err;
  }
}

/** The workspace's connected accounts, oldest first; disconnected ones are history only. */
export async function listAccounts(teamId: string): Promise<AccountDocument[]> {
  return AccountModel.find({ teamId, state: 'connected' }).sort({ createdAt: 1, _id: 1 });
}

/** Every connected account of every workspace, switched on or off: background work that reaches WhatsApp for them. */
export function listConnectedAccounts(): Promise<AccountDocument[]> {
  return AccountModel.find({ state: 'connected' });
}

export type AccountChanges = Partial<
  Pick<
    Account,
    | 'name'
    | 'channelId'
    | 'enabled'
    | 'locale'
    | 'tokenSealed'
    | 'tokenHint'
    | 'appSecretSealed'
    | 'appSecretHint'
    | 'displayPhoneNumber'
    | 'verifiedName'
    | 'qualityRating'
    | 'businessHours'
    | 'responseTargets'
    | 'escalation'
    | 'awayReply'
    | 'csat'
  >
>;

/** Applies the changes to a connected account; a rename is checked against the other names. */
export async function updateAccount(id: string, changes: AccountChanges): Promise<AccountDocument | undefined> {
  const account = await findAccount(id);
  if (!account || account.state !== 'connected') return undefined;
  if (changes.name !== undefined && accountNameKey(changes.name) !== account.nameKey) {
    if (await isAccountNameTaken(account.teamId, changes.name, id)) throw new DuplicateAccountNameError(changes.name);
    account.nameKey = accountNameKey(changes.name);
  }
  account.set(changes);
  try {
    await account.save();
    forgetRecent(id);
  } catch (err) {
    if (isDuplicateKey(err) && changes.name !== undefined) throw new DuplicateAccountNameError(changes.name);
    throw err;
  }
  return account;
}

/** The ON/OFF switch. */
export function setAccountEnabled(id: string, enabled: boolean): Promise<AccountDocument | undefined> {
  return updateAccount(id, { enabled });
}

/**
 * Marks the account disconnected and keeps it (and its conversations) as history.
 * Its name key gets the id appended so the name can be used again.
 */
export async function disconnectAccount(id: string): Promise<AccountDocument | undefined> {
  const account = await findAccount(id);
  if (!account || account.state !== 'connected') return undefined;
  account.state = 'disconnected';
  account.enabled = false;
  account.nameKey = `${account.nameKey}#disconnected#${account.id}`;
  await account.save();
  forgetRecent(id);
  return account;
}

/** What a move to another API replaces: everything about how the account is reached. */
export interface AccountApi {
  kind: 'cloud' | 'bsp';
  apiUrl: string;
  tokenSealed: string;
  tokenHint: string;
  phoneNumberId?: string;
  wabaId?: string;
  apiKeyHeader?: string;
  appSecretSealed?: string;
  appSecretHint?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
  qualityRating?: string;
}

const API_FIELDS = [
  'phoneNumberId',
  'wabaId',
  'apiKeyHeader',
  'appSecretSealed',
  'appSecretHint',
  'displayPhoneNumber',
  'verifiedName',
  'qualityRating',
] as const satisfies readonly (keyof AccountApi)[];

/**
 * Moves a connected account to another API (a retired On-Premises one to the Cloud API or a BSP).
 * Its id stays, and with it its channel, conversations and templates; what the new API does not
 * use is cleared, not left over from the old one.
 */
export async function moveAccountApi(id: string, api: AccountApi): Promise<AccountDocument | undefined> {
  const account = await findAccount(id);
  if (!account || account.state !== 'connected') return undefined;
  account.set({ kind: api.kind, apiUrl: api.apiUrl, tokenSealed: api.tokenSealed, tokenHint: api.tokenHint });
  // set() with undefined leaves the old value: each optional field is set or cleared by itself.
  for (const key of API_FIELDS) account.set(key, api[key]);
  await account.save();
  forgetRecent(id);
  return account;
}
