/**
 * Runs many more property schedules than CI does and prints how many held:
 *   npx tsx scripts/property-soak.ts [--runs 100] [--seed 42]
 * Uses TEMPORAL_ADDRESS when set, otherwise starts a dev server of its own. Exit code 1 if any schedule broke the
 * order invariant (a deletion before a verified revocation) or did not complete.
 */
import fc from 'fast-check';
import { runSchedule, scheduleArb } from '../test/property/invariant';
import { aliceOf, outsideWorldOf } from '../test/workflows/outside-changes';
import { startLocalStack } from '../test/workflows/local-stack';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

async function main(): Promise<void> {
  const runs = arg('runs', 100);
  const seed = arg('seed', Date.now() % 2 ** 31);
  const stack = await startLocalStack();
  const schedules = fc.sample(scheduleArb, { numRuns: runs, seed });
  let held = 0;
  let completed = 0;
  const races = { none: 0, rehire: 0, reissue: 0 };
  const failures: string[] = [];
  const started = Date.now();
  try {
    for (const [i, schedule] of schedules.entries()) {
      const outcome = await runSchedule(
        {
          client: stack.client,
          signer: stack.signer,
          taskQueue: stack.taskQueue,
          accountId: stack.accountId,
          emulatorUrl: stack.emulator.url,
          workerIdentity: stack.config.alibaba.workerIdentity,
          outside: outsideWorldOf(stack.emulator),
          alice: aliceOf(stack.emulator),
          resetEmulator: async () => stack.emulator.reset(),
        },
        schedule,
      );
      races[schedule.race]++;
      if (outcome.held) held++;
      if (outcome.completed) completed++;
      if (!outcome.held || !outcome.completed)
        failures.push(`#${i + 1} ${outcome.stage} ${outcome.violations.join('; ')} ${JSON.stringify(schedule)}`);
      process.stdout.write(`\r${i + 1}/${runs} run, ${held} held, ${completed} completed`);
    }
  } finally {
    await stack.stop();
  }
  console.log(
    `\nproperty soak (seed ${seed}): ${runs} schedules run (${races.rehire} with a rehire, ${races.reissue} with a re-issued kubeconfig), ${held} held the invariant, ${completed} reached their end, ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const f of failures) console.log(`  ${f}`);
  process.exit(held === runs && completed === runs ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
