// Builds tools/embedded-db (FerretDB on SQLite) into bin/embedded-db.
// Go's build cache makes a repeat run take about a second.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const go = spawnSync('go', ['version'], { encoding: 'utf8' });
if (go.error || go.status !== 0) {
  const need = process.env.MONGODB_URI ? 'warning' : 'error';
  console.error(
    `${need}: Go (1.21 or newer) was not found on PATH.\n` +
      'wadesk builds its embedded database (FerretDB on SQLite) with Go.\n' +
      'Install it (Debian: apt-get install golang-go, or https://go.dev/dl/),\n' +
      'or set MONGODB_URI to a MongoDB 6+ server to run without the embedded database.',
  );
  process.exit(process.env.MONGODB_URI ? 0 : 1);
}
const out = path.join(root, 'bin', 'embedded-db');
const build = spawnSync('go', ['build', '-o', out, '.'], {
  cwd: path.join(root, 'tools', 'embedded-db'),
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('error: building the embedded database failed (see the Go output above).');
  process.exit(1);
}
