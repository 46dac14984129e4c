import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';

const VERSION = 'v1';

/** Encrypts the secrets we store (WhatsApp tokens, app secrets) with AES-256-GCM. */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  /** Each sealed value opens to one secret for good, so it is opened once: every webhook needs its account's. */
  private readonly opened = new LRUCache<string, string>({ max: 1_000 });

  open(sealed: string): string {
    const known = this.opened.get(sealed);
    if (known !== undefined) return known;
    const secret = this.decrypt(sealed);
    this.opened.set(sealed, secret);
    return secret;
  }

  /** Whether the value was sealed with this box's key. */
  opens(sealed: string): boolean {
    try {
      this.open(sealed);
      return true;
    } catch {
      return false;
    }
  }

  private decrypt(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** The key cannot be used with the stored secrets; the message names the problem and the fix. */
export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

/** Where the embedded default keeps its generated key. */
export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'encryption.key');
}

/**
 * The key generated into the data folder (mode 0600) and reused on every start. A new one is
 * generated only when `mayCreate`: never beside secrets sealed with a lost one, which it would not open.
 */
export function keyFromFile(dataDir: string, { mayCreate }: { mayCreate: boolean }): Buffer {
  const file = keyFilePath(dataDir);
  if (!fs.existsSync(file)) {
    if (!mayCreate) {
      throw new KeyError(
        `${file} is missing, but the database holds secrets sealed with the key it held. A new key would not open them, ` +
          'so none is generated. Restore the file from a backup, or set ENCRYPTION_KEY to the original key.',
      );
    }
    writeNewKey(file);
  }
  return readKeyFile(file);
}

/** Writes a new random key to `file` unless it exists already. */
export function writeNewKey(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export function readKeyFile(file: string): Buffer {
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new KeyError(`${file} does not hold a 32-byte base64 key`);
  return key;
}

/** Shows only the last four characters: enough to tell two tokens apart. */
export function mask(secret: string): string {
  return `••••${secret.slice(-4)}`;
}

/** Compares two secrets in constant time, whatever their lengths. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
