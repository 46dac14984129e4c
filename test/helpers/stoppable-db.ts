import { MongoMemoryServer } from 'mongodb-memory-server';
import { startEmbeddedDatabase } from '../../src/store/embedded';

/** A database server of a test's own, to take away and bring back on the same address. */
export interface StoppableDatabase {
  uri: string;
  stop(): Promise<void>;
  /** Starts it again on the same port, with the files it had. */
  restart(): Promise<void>;
}

/**
 * Of the kind the suite runs on: a MongoDB server under `npm run test:mongodb` (a standalone:
 * a replica set's member would first have to win an election again), else the embedded database.
 */
export async function startStoppableDatabase(dir: string): Promise<StoppableDatabase> {
  if (process.env.WADESK_TEST_DB === 'mongodb') {
    const server = await MongoMemoryServer.create({ instance: { dbPath: dir, storageEngine: 'wiredTiger' } });
    return {
      uri: server.getUri(),
      stop: () => server.stop({ doCleanup: false }).then(() => undefined),
      restart: () => server.start(true),
    };
  }
  let db = await startEmbeddedDatabase(dir);
  const port = Number(new URL(db.uri).port);
  return {
    uri: db.uri,
    stop: () => db.stop(),
    async restart() {
      db = await startEmbeddedDatabase(dir, { port });
    },
  };
}
