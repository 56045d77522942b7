/**
 * The emulator as a process of its own for the benchmarks (`tsx emulator/main.ts`), so that its CPU is measured
 * apart; in its own process group (tsx runs it in a child process), its errors on this process's stderr.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '../local-temporal';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EmulatorProcess {
  pid: number;
  /** host:port, for the Alibaba SDKs. */
  endpoint: string;
  /** http://host:port, for its own /__emulator API. */
  url: string;
  /** Back to the fixture as loaded: identities, kubeconfigs, journal. */
  reset(): Promise<void>;
  kill(): void;
}

/** Starts the emulator on a free port with `fixturePath`; resolves once it answers. */
export async function startEmulatorProcess(fixturePath: string): Promise<EmulatorProcess> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      require.resolve('tsx/cli'),
      join(repoRoot, 'emulator', 'main.ts'),
      '--port',
      String(port),
      '--fixture',
      fixturePath,
      '--quiet',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  const kill = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // exited by itself
    }
  };
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/__emulator/options`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return {
        pid: child.pid as number,
        endpoint: `127.0.0.1:${port}`,
        url,
        kill,
        async reset() {
          const res = await fetch(`${url}/__emulator/reset`, { method: 'POST' });
          if (!res.ok) throw new Error(`the emulator's reset answered ${res.status}`);
        },
      };
    }
    await sleep(100);
  }
  kill();
  throw new Error('the emulator did not start in 60 s (its error is above)');
}
