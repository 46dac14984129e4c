import type { TestDatabase } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __wadeskTestDb?: TestDatabase }).__wadeskTestDb?.stop();
}
