/** The local Temporal bootstrap: how it finds the CLI, and the messages a bad set-up gets. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { allSearchAttributeKeys } from '../../common/search-attributes';
import {
  assertPortFree,
  cacheDir,
  ensureTemporalCli,
  findTemporalCli,
  freePort,
  localServerSettings,
  startDevServer,
} from '../../scripts/local-temporal';

function fakeExecutable(dir: string, name: string, script = '#!/bin/sh\nexit 0\n'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}

describe('finding the Temporal CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-'));
  const cacheHome = join(root, 'cache');
  const cached = fakeExecutable(join(cacheHome, 'acs-offboarding', 'temporal-cli', 'v1.5.1'), 'temporal');
  const onPath = fakeExecutable(join(root, 'bin'), 'temporal');
  const explicit = fakeExecutable(join(root, 'explicit'), 'my-temporal');

  it('prefers TEMPORAL_CLI, then PATH, then the cache', () => {
    const env = { XDG_CACHE_HOME: cacheHome, PATH: join(root, 'bin') };
    expect(findTemporalCli({ ...env, TEMPORAL_CLI: explicit })).toEqual({ path: explicit, source: 'TEMPORAL_CLI' });
    expect(findTemporalCli(env)).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ XDG_CACHE_HOME: cacheHome, PATH: '' })).toEqual({ path: cached, source: 'cache' });
    expect(cacheDir({ XDG_CACHE_HOME: cacheHome })).toBe(join(cacheHome, 'acs-offboarding', 'temporal-cli', 'v1.5.1'));
  });

  it('refuses a TEMPORAL_CLI that is not an executable file', () => {
    expect(() => findTemporalCli({ TEMPORAL_CLI: join(root, 'missing') })).toThrow(
      /TEMPORAL_CLI=.*missing is not an executable file/,
    );
  });

  it('reuses the cached binary without building anything (no Go on this PATH, so a build would fail)', async () => {
    const lines: string[] = [];
    await expect(
      ensureTemporalCli((line) => lines.push(line), { XDG_CACHE_HOME: cacheHome, PATH: '' }),
    ).resolves.toEqual({
      path: cached,
      source: 'cache',
    });
    expect(lines).toEqual([]);
  });

  it('with no binary, no Go and no download, says exactly how to install the CLI', async () => {
    const env = { XDG_CACHE_HOME: join(root, 'empty-cache'), PATH: '', TEMPORAL_CLI_DOWNLOAD: 'never' };
    const error = await ensureTemporalCli(() => undefined, env).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/No Temporal CLI was found/);
    expect((error as Error).message).toMatch(/go install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/);
    expect((error as Error).message).toMatch(/TEMPORAL_CLI=/);
  });
});

describe('starting the dev server', () => {
  let holder: Server;
  let takenPort: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    takenPort = (holder.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it('names a port that is already taken and the variable that moves it', async () => {
    await expect(assertPortFree(takenPort, '127.0.0.1', 'Temporal gRPC, TEMPORAL_PORT')).rejects.toThrow(
      new RegExp(`Port ${takenPort} \\(Temporal gRPC, TEMPORAL_PORT\\) on 127.0.0.1 is already in use`),
    );
    const cli = fakeExecutable(mkdtempSync(join(tmpdir(), 'cli-')), 'temporal');
    await expect(
      startDevServer({ cli, grpcPort: takenPort, uiPort: await freePort(), logFile: join(tmpdir(), 'x.log') }),
    ).rejects.toThrow(/already in use/);
  });

  it('rejects a port variable that is not a port', () => {
    expect(() => localServerSettings({ TEMPORAL_PORT: 'abc' })).toThrow('TEMPORAL_PORT=abc is not a port');
    expect(localServerSettings({})).toEqual({ host: '127.0.0.1', grpcPort: 7233, uiPort: 8233 });
  });

  it('reports a server that exits at start-up, with its log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const cli = fakeExecutable(dir, 'temporal', '#!/bin/sh\necho "boom: cannot open database" >&2\nexit 3\n');
    const logFile = join(dir, 'server.log');
    await expect(
      startDevServer({ cli, grpcPort: await freePort(), uiPort: await freePort(), logFile, healthTimeoutMs: 5000 }),
    ).rejects.toThrow(new RegExp(`exited during start-up. Its log: ${logFile}[\\s\\S]*boom: cannot open database`));
  });

  it('reports a server that never becomes healthy, with the log path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const cli = fakeExecutable(dir, 'temporal', '#!/bin/sh\necho "listening nowhere"\nexec sleep 30\n');
    const logFile = join(dir, 'server.log');
    await expect(
      startDevServer({ cli, grpcPort: await freePort(), uiPort: await freePort(), logFile, healthTimeoutMs: 1500 }),
    ).rejects.toThrow(
      new RegExp(`did not become healthy in time[\\s\\S]*Its log: ${logFile}[\\s\\S]*listening nowhere`),
    );
  });

  it('the real dev server of this test run has every search attribute of the project registered', async () => {
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      });
      for (const key of allSearchAttributeKeys) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
    } finally {
      await connection.close();
    }
  });
});
