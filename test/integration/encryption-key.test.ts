/**
 * The encryption key is checked against the stored secrets at start-up: a changed or lost key is
 * refused with a message that names the fix, never replaced by a new one, and `npm run rotate-key`
 * moves the secrets to a new key.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/log';
import { keyCheckValue, rotateKey } from '../../src/security/key-check';
import { keyFilePath, readKeyFile, SecretBox } from '../../src/security/secrets';
import { startService } from '../../src/service';
import { accountSecrets, findAccount } from '../../src/store/accounts';
import { writeKeyCheck } from '../../src/store/key-check';
import { AccountModel, KeyCheckModel } from '../../src/store/models';
import { uriWithDatabase } from '../../src/store/uri';
import { APP_SECRET, ROOT, seedCloudAccount, VERIFY_TOKEN, WA_TOKEN } from '../drills/support';
import { BOT_TOKEN, requireTestDbUri, SIGNING_SECRET, startTestService, uniqueDbName } from '../helpers/service';

const newKey = () => crypto.randomBytes(32);
const b64 = (key: Buffer) => key.toString('base64');

/** Starts the service on `dbName` with `key`, and stops it again; rejects as start-up does. */
async function startAndStop(dbName: string, key: Buffer): Promise<void> {
  const service = await startTestService({ ENCRYPTION_KEY: b64(key) }, { dbName });
  await service.stop();
}

/** Runs `work` on the suite's database `dbName` while no service is connected. */
async function onDatabase<T>(dbName: string, work: () => Promise<T>): Promise<T> {
  await mongoose.connect(requireTestDbUri(), { dbName, retryWrites: false });
  try {
    return await work();
  } finally {
    await mongoose.disconnect();
  }
}

/** A database holding one account sealed with `key`, as a service running with it left it. */
async function seededDatabase(key: Buffer): Promise<{ dbName: string; accountId: string }> {
  const dbName = uniqueDbName();
  await startAndStop(dbName, key);
  return { dbName, accountId: (await onDatabase(dbName, () => seedCloudAccount(key))).id };
}

describe('the encryption key at start-up', () => {
  it('refuses another key than the one the stored secrets are sealed with, naming the fix', async () => {
    const key = newKey();
    const { dbName } = await seededDatabase(key);
    await expect(startAndStop(dbName, newKey())).rejects.toThrow(/ENCRYPTION_KEY is not the key the stored WhatsApp secrets are sealed with.*Restore the original key.*npm run rotate-key/s);
    // The original still starts.
    await startAndStop(dbName, key);
  });

  it('checks data stored before there was a key check against a stored secret, then keeps a check', async () => {
    const key = newKey();
    const dbName = uniqueDbName();
    await onDatabase(dbName, () => seedCloudAccount(key));
    await expect(startAndStop(dbName, newKey())).rejects.toThrow(/not the key the stored WhatsApp secrets are sealed with/);
    expect(await onDatabase(dbName, () => KeyCheckModel.countDocuments({}))).toBe(0);
    await startAndStop(dbName, key);
    expect((await onDatabase(dbName, () => KeyCheckModel.findById('encryption').lean()))?.value).toBe(keyCheckValue(key));
  });

  describe('the key generated into DATA_DIR', () => {
    const quiet = { logger: createLogger('error', () => undefined), background: false };
    let dataDir: string;
    beforeEach(() => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-key-'));
    });
    afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    /** The service as it runs on the embedded default: its key in DATA_DIR (the database here is the suite's). */
    function fileKeyConfig(dbName: string) {
      const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', MONGODB_URI: requireTestDbUri(), ENCRYPTION_KEY: b64(newKey()), DATA_DIR: dataDir });
      return { config: { ...config, encryptionKey: undefined }, dbName };
    }
    async function start(dbName: string): Promise<void> {
      const { config } = fileKeyConfig(dbName);
      await (await startService(config, { ...quiet, dbName })).stop();
    }

    it('is generated on a first start, and not again when it is lost beside sealed secrets', async () => {
      const dbName = uniqueDbName();
      await start(dbName);
      const file = keyFilePath(dataDir);
      await onDatabase(dbName, () => seedCloudAccount(readKeyFile(file)));
      fs.rmSync(file);
      await expect(start(dbName)).rejects.toThrow(/encryption\.key is missing, but the database holds secrets sealed with the key it held.*none is generated.*Restore the file/s);
      expect(fs.existsSync(file)).toBe(false);
    });

    it('refuses a replaced key file', async () => {
      const dbName = uniqueDbName();
      await start(dbName);
      const file = keyFilePath(dataDir);
      await onDatabase(dbName, () => seedCloudAccount(readKeyFile(file)));
      fs.writeFileSync(file, b64(newKey()));
      await expect(start(dbName)).rejects.toThrow(/the key in .*encryption\.key is not the key the stored WhatsApp secrets are sealed with/);
    });
  });
});

describe('key rotation', () => {
  /** `npm run rotate-key`, as an operator runs it: the built script with the service's configuration. */
  function runRotateKey(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'rotate-key.js')], {
      cwd: fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-rotate-')),
      env: { PATH: process.env.PATH ?? '', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, ...env },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
  }

  it('re-encrypts every stored secret under the new key with npm run rotate-key', async () => {
    const [current, next] = [newKey(), newKey()];
    const { dbName, accountId } = await seededDatabase(current);
    const rotated = await runRotateKey({ MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName), ENCRYPTION_KEY: b64(current), NEW_ENCRYPTION_KEY: b64(next) });
    expect(rotated).toEqual({ code: 0, output: expect.stringMatching(/Sealed the secrets of 1 account\(s\) with the new key.*set ENCRYPTION_KEY to the new key/s) });

    await expect(startAndStop(dbName, current)).rejects.toThrow(/not the key the stored WhatsApp secrets are sealed with/);
    const service = await startTestService({ ENCRYPTION_KEY: b64(next) }, { dbName });
    try {
      const account = await findAccount(accountId);
      expect(account && accountSecrets(account, service.deps.secrets)).toEqual({ token: WA_TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN });
    } finally {
      await service.stop();
    }
  });

  it('replaces the key generated into DATA_DIR once every secret is sealed with a new one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-rotate-data-'));
    const config = loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, PORT: '0', DATA_DIR: dataDir });
    const quiet = { logger: createLogger('error', () => undefined), background: false };
    const file = keyFilePath(dataDir);
    try {
      const first = await startService(config, quiet);
      const old = readKeyFile(file);
      const { id } = await seedCloudAccount(old);
      await first.stop();

      const rotated = await runRotateKey({ DATA_DIR: dataDir });
      expect(rotated).toEqual({ code: 0, output: expect.stringMatching(/Sealed the secrets of 1 account\(s\) with the new key.*encryption\.key holds the new key/s) });
      expect(readKeyFile(file).equals(old)).toBe(false);
      expect(fs.existsSync(`${file}.next`)).toBe(false);

      const second = await startService(config, quiet);
      try {
        const account = await findAccount(id);
        expect(account && accountSecrets(account, second.deps.secrets).token).toBe(WA_TOKEN);
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to rotate from a key that is not the one in use', async () => {
    const { dbName } = await seededDatabase(newKey());
    const refused = await runRotateKey({ MONGODB_URI: uriWithDatabase(requireTestDbUri(), dbName), ENCRYPTION_KEY: b64(newKey()), NEW_ENCRYPTION_KEY: b64(newKey()) });
    expect(refused).toEqual({ code: 78, output: expect.stringMatching(/the current key is not the key the stored secrets are sealed with/) });
  });

  it('finishes an interrupted rotation when run again, and the service refuses to start meanwhile', async () => {
    const [current, next] = [newKey(), newKey()];
    const { dbName, accountId } = await seededDatabase(current);
    // Interrupted after the check noted the rotation and one secret was sealed again.
    await onDatabase(dbName, async () => {
      await writeKeyCheck(keyCheckValue(current), keyCheckValue(next));
      await AccountModel.updateOne({ _id: accountId }, { $set: { tokenSealed: new SecretBox(next).seal(WA_TOKEN) } });
    });

    await expect(startAndStop(dbName, next)).rejects.toThrow(/a key rotation was interrupted.*npm run rotate-key.*again/s);
    await expect(startAndStop(dbName, current)).rejects.toThrow(/a key rotation was interrupted/);
    await onDatabase(dbName, async () => {
      expect(await rotateKey(current, next)).toEqual({ resealed: 1, alreadyDone: false });
      expect(await rotateKey(current, next)).toEqual({ resealed: 0, alreadyDone: true });
    });
    const restarted = await startTestService({ ENCRYPTION_KEY: b64(next) }, { dbName });
    try {
      const rotated = await findAccount(accountId);
      expect(rotated && accountSecrets(rotated, restarted.deps.secrets).token).toBe(WA_TOKEN);
    } finally {
      await restarted.stop();
    }
  });
});
