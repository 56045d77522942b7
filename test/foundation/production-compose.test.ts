/** The production compose file: valid for docker-compose, and registering exactly the project's search attributes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allSearchAttributeKeys } from '../../common/search-attributes';
import { repoRoot } from '../../scripts/temporal-server';

const composeFile = join(repoRoot, 'docker-compose.temporal.yml');

describe('docker-compose.temporal.yml', () => {
  it('validates with docker-compose (Debian package; .ci/run installs it)', () => {
    const result = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], {
      env: { ...process.env, TEMPORAL_DB_PASSWORD: 'test-only', OFFBOARD_ADMINS: 'carol,dave' },
      encoding: 'utf8',
    });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses to start without the database password (no default secret)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OFFBOARD_ADMINS: 'carol' };
    delete env.TEMPORAL_DB_PASSWORD;
    const result = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], { env, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TEMPORAL_DB_PASSWORD/);
  });

  it('registers every search attribute of common/search-attributes.ts, and no other', () => {
    const text = readFileSync(composeFile, 'utf8');
    const loop = /for name in ([A-Za-z ]+); do/.exec(text);
    expect(loop).not.toBeNull();
    expect(loop![1].trim().split(/\s+/).sort()).toEqual(allSearchAttributeKeys.map((key) => key.name).sort());
  });
});
