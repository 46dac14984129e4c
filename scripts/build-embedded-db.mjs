// Builds tools/embedded-db (FerretDB on SQLite) into bin/embedded-db.
// Go's build cache makes a repeat run take about a second.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { applyPatch, parsePatch } from 'diff';
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
const moduleDir = path.join(root, 'tools', 'embedded-db');
const bin = path.join(root, 'bin');
const ferret = spawnSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], {
  cwd: moduleDir,
  encoding: 'utf8',
});
if (ferret.status !== 0) {
  console.error(`error: downloading FerretDB failed:\n${ferret.stdout}${ferret.stderr}`);
  process.exit(1);
}

// FerretDB is built from a copy with our patches applied, from tools/ferretdb-patches
// (each says why). Go refuses to build edited files in its module cache, hence the
// copy and a go.mod that points at it.
const { Dir: cached, Version: version } = JSON.parse(ferret.stdout);
const patched = path.join(bin, `ferretdb-${version}`);
rmSync(patched, { recursive: true, force: true });
cpSync(cached, patched, { recursive: true });
makeWritable(patched); // the module cache is read-only, and `rm -rf bin` should still work
const patches = path.join(root, 'tools', 'ferretdb-patches');
for (const name of readdirSync(patches).filter((n) => n.endsWith('.patch')).sort()) {
  for (const change of parsePatch(readFileSync(path.join(patches, name), 'utf8'))) {
    const file = path.join(patched, (change.newFileName ?? '').replace(/^b\//, ''));
    const result = applyPatch(readFileSync(file, 'utf8'), change);
    if (result === false) {
      console.error(`error: ${name} no longer applies to FerretDB ${version} (${path.relative(patched, file)}).`);
      process.exit(1);
    }
    writeFileSync(file, result);
  }
}
const modFile = path.join(bin, 'embedded-db.mod');
writeFileSync(
  modFile,
  `${readFileSync(path.join(moduleDir, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${patched}\n`,
);
copyFileSync(path.join(moduleDir, 'go.sum'), path.join(bin, 'embedded-db.sum'));

const out = path.join(bin, 'embedded-db');
const build = spawnSync('go', ['build', `-modfile=${modFile}`, '-o', out, '.'], {
  cwd: moduleDir,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('error: building the embedded database failed (see the Go output above).');
  process.exit(1);
}

function makeWritable(dir) {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else chmodSync(full, 0o644);
  }
}
