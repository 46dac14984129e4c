import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { mongo } from 'mongoose';
import { createLogger } from '../../src/log';
import { openDatabase } from '../../src/store/database';
import { AccountModel } from '../../src/store/models';
import { uriWithDatabase } from '../../src/store/uri';
import { startStoppableDatabase, type StoppableDatabase } from '../helpers/stoppable-db';

// A server of its own (of the suite's kind): these tests drop the databases a deployment would use.
describe('the database wadesk uses', () => {
  let dir: string;
  let server: StoppableDatabase;
  let client: mongo.MongoClient;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wadesk-db-name-'));
    server = await startStoppableDatabase(dir);
    client = await mongo.MongoClient.connect(server.uri);
  });
  afterEach(async () => {
    await Promise.all(['wadesk', 'wadesk_journal', 'test', 'test_journal', 'named'].map((name) => client.db(name).dropDatabase()));
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(uri: string) {
    const lines: string[] = [];
    const database = await openDatabase({ uri, dataDir: dir, logger: createLogger('warn', (line) => lines.push(line)) });
    const name = mongoose.connection.name;
    await database.close();
    return { name, lines };
  }

  it('is "wadesk" where the connection string names none', async () => {
    expect(await open(server.uri)).toEqual({ name: 'wadesk', lines: [] });
  });

  it('is the one the connection string names, its options kept', async () => {
    expect((await open(uriWithDatabase(`${server.uri}?appName=wadesk-test`, 'named'))).name).toBe('named');
  });

  it('stays "test", with a warning, where an earlier version kept its data there by default', async () => {
    await client.db('test').collection(AccountModel.collection.collectionName).insertOne({ name: 'Acme' });
    const { name, lines } = await open(server.uri);
    expect(name).toBe('test');
    expect(lines).toEqual([expect.stringContaining('the default of earlier versions: staying there')]);
  });
});
