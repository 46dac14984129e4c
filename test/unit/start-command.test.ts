import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startCommand } from '../drills/support';

describe('how the service is started', () => {
  it('runs the same command from the Procfile as from npm start (the drills and the bench use it too)', () => {
    const { flags, main } = startCommand();
    const procfile = fs.readFileSync(path.join(ROOT, 'Procfile'), 'utf8').trim();
    expect(procfile).toBe(`web: node ${[...flags, path.relative(ROOT, main)].join(' ')}`);
    expect(path.relative(ROOT, main)).toBe(path.join('dist', 'main.js'));
    // Ingest allocates about 135 KB a message: a larger young generation collects it less often, and for less time in all (bench/README.md).
    expect(flags).toContain('--max-semi-space-size=64');
  });
});
