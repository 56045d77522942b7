/**
 * Measures the orphan sweep at the scale: an account of 50 clusters × 2,000 identities (the emulator's
 * generated account: 100,000 kubeconfigs, orphans named and nameless, roles, recycle-bin users, stale users), swept
 * once as a dry run and once revoking. Prints, for each: wall time, Alibaba API calls (the emulator's journal, by
 * operation), the sweep's history events, and what it found.
 *   npm run bench:sweep [-- --generate clusters=50,identities=2000,orphans=40]
 * Uses TEMPORAL_ADDRESS when set, otherwise starts a dev server of its own.
 */
import { DEFAULT_GENERATE_SPEC, generateFixture, parseGenerateSpec, type JournalEntry } from '../emulator';
import { journal } from '../test/workflows/harness';
import { startLocalStack } from '../test/workflows/local-stack';
import { startSignedSweep } from '../test/workflows/sweep-support';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--generate');
  const spec = i >= 0 ? parseGenerateSpec(process.argv[i + 1] ?? '') : DEFAULT_GENERATE_SPEC;
  const t0 = performance.now();
  const { fixture, summary } = generateFixture(spec);
  const stack = await startLocalStack(() => undefined, {
    editFixture(f) {
      Object.assign(f, fixture, { account: { ...(fixture.account as object), id: (f.account as { id: string }).id } });
    },
  });
  console.log(
    `account: ${spec.clusters} generated clusters (+2 demo), ${spec.identities} live users, ` +
      `${Object.keys(summary.orphans).length} generated orphans (${spec.nameless} nameless, ${spec.recycled} in the recycle bin, ` +
      `${spec.roleOrphans} roles) + the demo's former-contractor, ${summary.liveKubeconfigs} live kubeconfigs; ` +
      `fixture generated and loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  try {
    for (const mode of ['dry-run', 'revoke'] as const) {
      const before = (await journal(stack.emulator)).length;
      const start = performance.now();
      const handle = await startSignedSweep(stack, { mode });
      const report = await handle.result();
      const wall = performance.now() - start;
      const calls = (await journal(stack.emulator)).slice(before);
      const events = (await handle.describe()).historyLength;
      console.log(`\n${mode}: ${(wall / 1000).toFixed(1)} s wall, ${events} history events, ${calls.length} API calls`);
      console.log(`  by operation: ${byOperation(calls)}`);
      console.log(`  report: ${report.outcome}`);
      console.log(
        `  orphans ${report.counts.found} (revoked ${report.counts.revoked}, verified ${report.counts.verified}, ` +
          `failed ${report.counts.failed}), stale ${report.stale.length}, kubeconfigs seen ${report.kubeconfigsSeen}, ` +
          `API calls the sweep counted ${report.apiCalls}`,
      );
    }
  } finally {
    await stack.stop();
  }
}

function byOperation(calls: JournalEntry[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([action, n]) => `${action} ${n}`)
    .join(', ');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
