import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';

export interface Database {
  /** Resolves while the server answers a ping within the time limit. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Connects mongoose to MONGODB_URI, or to an embedded FerretDB whose files
 * live under dataDir/db so they survive restarts.
 */
export async function openDatabase(options: { uri?: string; dataDir: string; dbName?: string }): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  const uri = options.uri ?? (embedded = await startEmbeddedDatabase(path.join(options.dataDir, 'db'))).uri;
  // Each query would otherwise capture a stack trace, only to explain "query was already executed".
  mongoose.set('skipOriginalStackTraces', true);
  try {
    await mongoose.connect(uri, {
      dbName: options.dbName,
      serverSelectionTimeoutMS: 5_000,
      heartbeatFrequencyMS: 2_000,
      // FerretDB v1 has no retryable writes; real MongoDB does, and the code must not rely on them.
      retryWrites: false,
      autoIndex: false,
    });
    await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  return {
    async ping(timeoutMs = 1_000) {
      const db = mongoose.connection.db;
      if (!db) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          db.admin().ping().then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
        ]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await mongoose.disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * A unique index refused the write. MongoDB and FerretDB answer inserts with
 * E11000; FerretDB v1 reports an update that breaks a unique index only in the message.
 */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : '';
  return code === 11000 || code === 11001 || /duplicate key|E11000/i.test(message);
}

/** Errors that mean "the database cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError } =
    mongoose.mongo;
  return [MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError].some(
    (type) => err instanceof type,
  );
}
