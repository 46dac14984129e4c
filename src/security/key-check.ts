import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import { anySealedSecret, readKeyCheck, resealAccount, SEALED_FIELDS, sealedSecrets, writeKeyCheck, type SealedFields } from '../store/key-check';
import { KeyError, keyFilePath, keyFromFile, SecretBox } from './secrets';

/** A one-way function of the key: equal for the same key, and it reveals nothing of it. */
export function keyCheckValue(key: Buffer): string {
  return createHmac('sha256', key).update('wadesk encryption key check').digest('hex').slice(0, 32);
}

const ROTATE_HINT = 'To change keys, put the original back and run "npm run rotate-key" (README, "The encryption key").';

/**
 * The encryption key, checked against the stored secrets before anything uses it: the key check
 * stored beside them, or for data from before there was one, a stored secret it must open. A
 * wrong key would otherwise start fine and fail every webhook; it is refused here instead. The
 * first start with a good key stores the check.
 */
export async function loadCheckedKey(config: Pick<Config, 'encryptionKey' | 'dataDir'>): Promise<Buffer> {
  const check = await readKeyCheck();
  const sealed = check ? undefined : await anySealedSecret();
  const key = config.encryptionKey ?? keyFromFile(config.dataDir, { mayCreate: !check && sealed === undefined });
  const source = config.encryptionKey ? 'ENCRYPTION_KEY' : `the key in ${keyFilePath(config.dataDir)}`;
  const wrongKey = () =>
    new KeyError(
      `${source} is not the key the stored WhatsApp secrets are sealed with (it was changed or replaced), so they cannot be read. ` +
        `Restore the original key. ${ROTATE_HINT}`,
    );
  if (check?.rotatingTo) {
    throw new KeyError('a key rotation was interrupted: some stored secrets are sealed with the old key, some with the new. Run "npm run rotate-key" again with the same keys to finish it.');
  }
  if (check) {
    if (check.value !== keyCheckValue(key)) throw wrongKey();
    return key;
  }
  if (sealed !== undefined && !new SecretBox(key).opens(sealed)) throw wrongKey();
  await writeKeyCheck(keyCheckValue(key));
  return key;
}

export interface Rotation {
  /** Accounts whose secrets were sealed again now. */
  resealed: number;
  /** Already under the new key: a rotation finished before (only the key file's rename was left). */
  alreadyDone: boolean;
}

/**
 * Seals every stored secret again with `next`. Safe to run again after an interruption: the key
 * check notes the rotation first, secrets already sealed with `next` are left as they are, and
 * the check names `next` only once all are.
 */
export async function rotateKey(current: Buffer, next: Buffer): Promise<Rotation> {
  const from = keyCheckValue(current);
  const to = keyCheckValue(next);
  if (from === to) throw new KeyError('the new key is the key in use: nothing to do');
  const check = await readKeyCheck();
  if (check?.value === to && !check.rotatingTo) return { resealed: 0, alreadyDone: true };
  if (check?.rotatingTo && check.rotatingTo !== to) throw new KeyError('an interrupted rotation to another new key must be finished first: run it again with that key');
  const sealed = check ? undefined : await anySealedSecret();
  const old = new SecretBox(current);
  if ((check && check.value !== from) || (sealed !== undefined && !old.opens(sealed))) {
    throw new KeyError('the current key is not the key the stored secrets are sealed with: give the key wadesk runs with now');
  }

  await writeKeyCheck(from, to);
  const box = new SecretBox(next);
  let resealed = 0;
  for (const account of await sealedSecrets()) {
    const changes: SealedFields = {};
    for (const field of SEALED_FIELDS) {
      const value = account[field];
      if (!value || box.opens(value)) continue;
      if (!old.opens(value)) throw new KeyError(`account ${String(account._id)}: its ${field} opens with neither key; nothing else was changed for it`);
      changes[field] = box.seal(old.open(value));
    }
    if (Object.keys(changes).length === 0) continue;
    await resealAccount(account._id, changes);
    resealed++;
  }
  await writeKeyCheck(to);
  return { resealed, alreadyDone: false };
}
