/**
 * Guarded writes (an update whose filter names the state it changes from) are atomic on MongoDB.
 * FerretDB v1 applies any update as a read, then a write of the whole document, so there two
 * writers of one document can both pass a guard, or one undo the other's fields. The embedded
 * database is private to its process, so taking the writes of one document in turn in the process
 * keeps MongoDB's promise there. On MongoDB this is off and the server decides.
 */
let inProcess = false;
const tails = new Map<string, Promise<unknown>>();

/** On for a server that applies updates as read-then-write (FerretDB), which only one process may then write. */
export function serializeWritesInProcess(on: boolean): void {
  inProcess = on;
}

/** Whether this process is the database's one writer (the embedded database): nothing is stored there but what it stores. */
export function soleWriter(): boolean {
  return inProcess;
}

/** Runs `write` (writes of the one document `key` names) in turn with the process's other writes of it, where that is needed. */
export async function guarded<T>(key: string, write: () => Promise<T>): Promise<T> {
  if (!inProcess) return write();
  const run = (tails.get(key) ?? Promise.resolve()).then(write);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/** `guarded` for a write of several documents at once (a bulk write): it takes their turns in one order, so two never wait on each other. */
export function guardedAll<T>(keys: readonly string[], write: () => Promise<T>): Promise<T> {
  if (!inProcess) return write();
  return [...new Set(keys)].sort().reduceRight<() => Promise<T>>((inner, key) => () => guarded(key, inner), write)();
}
