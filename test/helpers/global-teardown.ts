import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __wadeskTestDb?: { stop(): Promise<void>; dir: string } }).__wadeskTestDb;
  if (!db) return;
  await db.stop();
  fs.rmSync(db.dir, { recursive: true, force: true });
}
