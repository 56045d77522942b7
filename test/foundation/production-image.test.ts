/**
 * The Dockerfile as data, in seconds (`npm run image:check` builds it and runs its worker, in minutes): the runtime
 * stage runs compiled code on production dependencies as a non-root user; and the reading of Dockerfiles and
 * .dockerignore files that the image check relies on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/local-temporal';
import { dockerignore } from '../image/build-image';
import { parseDockerfile, stageConfig } from '../image/dockerfile';

describe('Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
  const runtime = stages[stages.length - 1];
  const config = stageConfig(runtime);
  const runs = runtime.instructions.flatMap((i) => (i.kind === 'RUN' ? [i.argv.join(' ')] : []));

  it('runs node on compiled JavaScript with the prebuilt workflow bundle, as a non-root user', () => {
    expect(config.cmd?.[0]).toBe('node');
    expect(config.cmd?.at(-1)).toMatch(/^dist\/.*\.js$/);
    expect(config.env.OFFBOARD_WORKFLOW_BUNDLE).toMatch(/^\/.*\.js$/);
    expect(['root', '0', undefined]).not.toContain(config.user);
  });

  it("bounds the worker's memory for runs that wait: two malloc arenas, and a V8 heap that grows 20 % at a time", () => {
    // README, Sizing the worker: the figures behind these two settings.
    expect(config.env.MALLOC_ARENA_MAX).toBe('2');
    expect(config.cmd?.slice(1, -1)).toEqual(['--heap-growing-percent=20']);
  });

  it('installs production dependencies only in the runtime stage, and builds nothing there', () => {
    expect(runs).toEqual([expect.stringMatching(/npm ci --omit=dev/)]);
    expect(runtime.instructions.filter((i) => i.kind === 'COPY' && i.from !== undefined)).toHaveLength(1);
  });
});

describe('the reading of Dockerfiles that the image check carries out', () => {
  it('joins continued lines, skips comments, and reads both ENV forms and both command forms', () => {
    const [stage] = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'FROM node:20-slim AS base',
        'WORKDIR /app',
        'RUN npm ci \\',
        '  --omit=dev',
        'ENV A=1 B="two words"',
        'ENV C three words',
        'COPY --from=other /x ./y',
        'CMD ["node", "main.js"]',
      ].join('\n'),
    );
    expect(stage).toMatchObject({ name: 'base', image: 'node:20-slim', line: 2 });
    expect(stage.instructions.map((i) => i.kind)).toEqual(['WORKDIR', 'RUN', 'ENV', 'ENV', 'COPY', 'CMD']);
    expect(stage.instructions[1]).toMatchObject({ line: 4, argv: ['/bin/sh', '-c', 'npm ci --omit=dev'] });
    expect(stage.instructions[4]).toMatchObject({ from: 'other', sources: ['/x'], dest: './y' });
    expect(stageConfig(stage)).toEqual({
      workdir: '/app',
      env: { A: '1', B: 'two words', C: 'three words' },
      cmd: ['node', 'main.js'],
    });
  });

  it('refuses what it does not carry out, instead of silently doing less than docker build', () => {
    expect(() => parseDockerfile('FROM node:20\nHEALTHCHECK CMD true')).toThrow(/line 2: HEALTHCHECK is not carried/);
    expect(() => parseDockerfile('FROM node:20\nCOPY *.json ./')).toThrow(/wildcards/);
    expect(() => parseDockerfile('FROM node:20\nCOPY --chown=node a b')).toThrow(/--chown/);
    expect(() => parseDockerfile('FROM node:20\nENV A=$B')).toThrow(/variable substitution/);
  });

  it('reads .dockerignore as Docker does: paths and everything under them, globs, exceptions', () => {
    const ignored = dockerignore('# comment\nnode_modules\n/dist/\n**/*.log\ntest-*\n!test-keep');
    expect(
      ['node_modules', 'node_modules/a/b.js', 'dist/x.js', 'a/b/c.log', 'x.log', 'test-artifacts'].filter(ignored),
    ).toHaveLength(6);
    expect(['src/node_modules.ts', 'distant', 'test-keep', 'test/a.ts'].filter(ignored)).toEqual([]);
  });
});
