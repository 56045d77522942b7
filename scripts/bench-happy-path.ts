/**
 * Measures the happy path on this machine: wall time from start to AwaitingApproval (revocation verified), then to
 * Completed after an approval, and the history length of the run.
 *   npx tsx scripts/bench-happy-path.ts [--runs 5]
 * Uses TEMPORAL_ADDRESS when set, otherwise starts a dev server of its own.
 */
import { statusQuery } from '../common/messages';
import { OffboardingStage } from '../common/stages';
import { startLocalStack } from '../test/workflows/local-stack';
import { decide, people } from '../test/support/trust';
import { offboardInput, revokeInput, startOffboard, startRevoke } from '../test/workflows/harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const i = process.argv.indexOf('--runs');
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const stack = await startLocalStack(() => undefined);
  const toApproval: number[] = [];
  const toCompleted: number[] = [];
  const historyLengths: number[] = [];
  const toRevoked: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      stack.emulator.reset();
      const t0 = performance.now();
      const { handle } = await startOffboard(stack, offboardInput(stack, 'alice'));
      for (;;) {
        const s = await handle.query(statusQuery).catch(() => undefined);
        if (s?.stage === OffboardingStage.AwaitingApproval && s.pendingDecision === 'approval') break;
        await sleep(20);
      }
      const t1 = performance.now();
      await decide(stack, handle, 'approveDeletion', {}, people.carol);
      const result = await handle.result();
      const t2 = performance.now();
      if (result.stage !== OffboardingStage.Completed) throw new Error(`run ended ${result.stage}`);
      toApproval.push(t1 - t0);
      toCompleted.push(t2 - t0);
      historyLengths.push((await handle.describe()).historyLength);

      // The leaked-kubeconfig response: request → revocation verified.
      stack.emulator.reset();
      const r0 = performance.now();
      const revoke = await startRevoke(stack, revokeInput(stack, 'bob'));
      const revoked = await revoke.handle.result();
      if (revoked.stage !== OffboardingStage.Revoked) throw new Error(`revoke ended ${revoked.stage}`);
      toRevoked.push(performance.now() - r0);
    }
  } finally {
    await stack.stop();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (xs: number[]) =>
    `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(
    `happy path over ${runs} runs (alice: 1 key, console login, MFA, 1 group, 2 policies, 2 clusters; emulator clean task 300 ms):`,
  );
  console.log(`  start → AwaitingApproval: ${fmt(toApproval)}`);
  console.log(`  start → Completed (approval sent at once): ${fmt(toCompleted)}`);
  console.log(`  history length: ${[...new Set(historyLengths)].join(', ')} events`);
  console.log(`  revokeKubeconfig (bob, all clusters, Force) start → Revoked: ${fmt(toRevoked)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
