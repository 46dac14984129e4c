import path from 'node:path';
import mongoose, { Types, type Connection, type Model, type mongo } from 'mongoose';
import { z } from 'zod';
import type { Logger } from '../log';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { serializeWritesInProcess } from './guard';
import { journalWrites } from './health';
import { AccountModel } from './models/account';
import { journalDatabase, journalEntries, journalHolders } from './models/journal';
import { DEFAULT_DATABASE, databaseInUri } from './uri';

export interface Database {
  /** Resolves while the server answers a ping within the time limit. */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * Whether storage works: the server answers, a write to each database succeeds (a full disk
   * still answers pings), and the journal's appends have not been failing lately.
   */
  check(timeoutMs?: number): Promise<StorageCheck>;
  /** How long the embedded database has been down and not yet restarted, in ms; 0 while it runs, or with MONGODB_URI. */
  downForMs(): number;
  /** Disconnects (failing what still waits for the database at once) and stops the embedded database. Once, however often called. */
  close(): Promise<void>;
}

export type StorageCheck = { ok: true } | { ok: false; problem: 'database unavailable' | 'writes failing' };

/** A delivery's size, give or take: a disk with less room than this refuses the journal's appends too. */
const PROBE_PADDING = 'x'.repeat(2_048);

/**
 * Connects mongoose to MONGODB_URI, or to an embedded FerretDB whose files
 * live under dataDir/db so they survive restarts.
 */
export async function openDatabase(options: { uri?: string; dataDir: string; dbName?: string; logger?: Logger }): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  const uri = options.uri ?? (embedded = await startEmbeddedDatabase(path.join(options.dataDir, 'db'), { logger: options.logger })).uri;
  const connect = (dbName: string) =>
    mongoose.connect(uri, {
      dbName,
      serverSelectionTimeoutMS: 5_000,
      heartbeatFrequencyMS: 2_000,
      // FerretDB v1 has no retryable writes; real MongoDB does, and the code must not rely on them.
      retryWrites: false,
      autoIndex: false,
      // Nor collections at connect: mongoose would create them in the background, racing the look for legacy data below.
      autoCreate: false,
    });
  try {
    const named = options.dbName ?? databaseInUri(uri);
    await connect(named ?? DEFAULT_DATABASE);
    if (!named && (await holdsOnlyLegacyData(mongoose.connection.getClient()))) {
      options.logger?.warn(`wadesk's data is in the database "${LEGACY_DEFAULT_DATABASE}", the default of earlier versions: staying there`, {
        hint: `name it in MONGODB_URI (…/${LEGACY_DEFAULT_DATABASE}) to keep it, or move the data to "${DEFAULT_DATABASE}"`,
      });
      await mongoose.disconnect();
      await connect(LEGACY_DEFAULT_DATABASE);
    }
    await Promise.all([...Object.values(mongoose.models), journalEntries(), journalHolders()].map((model) => model.createIndexes()));
    await configureWriteGuards(embedded !== undefined);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const probe = async (connection: Connection) => {
    const probes = connection.collection<{ _id: Types.ObjectId; pad: string }>('probes');
    const _id = new Types.ObjectId();
    await probes.insertOne({ _id, pad: PROBE_PADDING });
    await probes.deleteOne({ _id });
    return true;
  };
  const ping = (timeoutMs = 1_000) => {
    const db = mongoose.connection.db;
    return db ? withinTime(db.admin().ping().then(() => true), timeoutMs) : Promise.resolve(false);
  };

  return {
    ping,
    async check(timeoutMs = 1_000) {
      if (!(await ping(timeoutMs))) return { ok: false, problem: 'database unavailable' };
      const written = await withinTime(Promise.all([probe(mongoose.connection), probe(journalDatabase())]).then(() => true), timeoutMs);
      return written && !journalWrites.failing ? { ok: true } : { ok: false, problem: 'writes failing' };
    },
    downForMs: () => embedded?.downForMs() ?? 0,
    close() {
      closing ??= (async () => {
        await mongoose.disconnect();
        await embedded?.stop();
      })();
      return closing;
    },
  };
}

/**
 * Guarded writes are taken in turn in the process where the server applies updates as a read then a
 * write: the embedded database, or a FerretDB named by URI (which then only one instance may use).
 */
export async function configureWriteGuards(embedded = false): Promise<void> {
  const info = embedded ? {} : await mongoose.connection.db?.admin().buildInfo();
  serializeWritesInProcess(embedded || (info !== undefined && 'ferretdbVersion' in info));
}

/** Whether the operation succeeds within the time limit; false when it fails or takes longer. */
async function withinTime(operation: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([operation, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Where wadesk kept its data when no database was named, before `wadesk` became the default: the driver's. */
const LEGACY_DEFAULT_DATABASE = 'test';

/** The default database is empty while the old default holds wadesk's accounts: an upgrade must not lose sight of them. */
async function holdsOnlyLegacyData(client: mongo.MongoClient): Promise<boolean> {
  const hasCollections = async (dbName: string, filter: mongo.Document = {}) =>
    (await client.db(dbName).listCollections(filter, { nameOnly: true }).toArray()).length > 0;
  return !(await hasCollections(DEFAULT_DATABASE)) && (await hasCollections(LEGACY_DEFAULT_DATABASE, { name: AccountModel.collection.collectionName }));
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

const writeError = z.object({ code: z.number().optional(), index: z.number().optional(), err: z.object({ code: z.number(), index: z.number() }).partial().optional() });
const bulkWriteErrors = z.object({ writeErrors: z.array(writeError).min(1) });

/** The positions of an unordered insertMany's documents refused as duplicates, when no other error stopped any; else undefined. */
export function duplicatePositions(err: unknown): Set<number> | undefined {
  const bulk = bulkWriteErrors.safeParse(err);
  if (!bulk.success) return undefined;
  const positions = new Set<number>();
  for (const w of bulk.data.writeErrors) {
    const index = w.index ?? w.err?.index;
    if ((w.code ?? w.err?.code) !== 11000 || index === undefined) return undefined;
    positions.add(index);
  }
  return positions;
}

/**
 * The model's collection as the driver sees it, typed by its documents. Writes through it skip
 * mongoose's casting, defaults, version key and timestamps, which cost ingest's bulk writes more
 * CPU than the writes themselves: for values already typed, with whatever mongoose would add.
 */
export function driverCollection<T extends mongo.Document>(model: Model<T>): mongo.Collection<T> {
  return model.db.collection<T>(model.collection.collectionName);
}

/** The document without its fields set to undefined, which the driver would store as null (mongoose leaves them out); changed in place. */
export function withoutUndefined<T extends object>(doc: T): T {
  for (const [key, value] of Object.entries(doc)) if (value === undefined) Reflect.deleteProperty(doc, key);
  return doc;
}

/**
 * A Mixed value (our JSON-like contents and payloads) as mongoose stores it, for documents inserted
 * without its document machinery: a copy without undefined properties or objects left empty (its
 * `minimize`), keeping array elements, even empty objects, in place. Undefined where mongoose stores nothing.
 */
export function storedMixed(value: unknown, inArray = false): unknown {
  if (Array.isArray(value)) return value.map((v) => storedMixed(v, true));
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  // Dates, ObjectIds, buffers: stored as they are.
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  let empty = true;
  for (const [key, v] of Object.entries(value)) {
    if (UNSAFE_KEYS.has(key)) continue;
    const kept = storedMixed(v);
    if (kept === undefined) continue;
    copy[key] = kept;
    empty = false;
  }
  return empty && !inArray ? undefined : copy;
}

/** Keys that would reach Object's own properties: never stored (zod's parsed webhooks never carry them; mongoose, meeting them, stored the value as given). */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Awaits an unordered write (insertMany, bulkWrite) that may meet documents stored before; the
 * positions refused as duplicates (none when all went in). Any other failure is thrown.
 */
export async function refusedAsDuplicates(write: Promise<unknown>): Promise<Set<number>> {
  try {
    await write;
    return new Set();
  } catch (err) {
    const refused = duplicatePositions(err);
    if (!refused) throw err;
    return refused;
  }
}

/**
 * Storage failed: it cannot be reached, or the server refused the operation (a write on a full
 * disk, an I/O error). Either may pass, so the sender is told to retry: 503, not 500.
 */
export function isStorageFailure(err: unknown): boolean {
  return isDatabaseUnavailable(err) || err instanceof mongoose.mongo.MongoServerError;
}

/** Errors that mean "the database cannot be reached right now", as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError } =
    mongoose.mongo;
  return [MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError, mongoose.Error.MongooseServerSelectionError].some(
    (type) => err instanceof type,
  );
}
