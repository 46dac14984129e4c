import { ConnectionString } from 'mongodb-connection-string-url';

/** Where a connection string names no database (the driver would say `test`). */
export const DEFAULT_DATABASE = 'wadesk';

/**
 * Connection strings go through the driver's own parser: a WHATWG URL refuses a replica set's
 * host list (`a:1,b:2`), and joining strings misplaces the name before `?replicaSet=`.
 */
export function databaseInUri(uri: string): string | undefined {
  const name = new ConnectionString(uri).pathname.replace(/^\//, '');
  return name ? decodeURIComponent(name) : undefined;
}

/** `uri` with its database set to `name`, its hosts and options kept. */
export function uriWithDatabase(uri: string, name: string): string {
  const parsed = new ConnectionString(uri);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}
