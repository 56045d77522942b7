import { OffboardingStage } from '../../common/stages';
import { type Inventory } from '../../common/types';
import { type Run } from '../run/run';

/**
 * Stage 2, DependencyCheck: the configured probes look for anything that still relies on the credential. Findings are
 * evidence; a blocking one makes the run wait for an admin's decision. Nothing has been changed yet.
 */
export async function checkDependencies(run: Run, inventory: Inventory): Promise<'proceed' | 'abort'> {
  run.board.transition(OffboardingStage.DependencyCheck, `Looking for anything that still relies on ${run.targetRef}`);
  const findings = await run.step('checkDependencies', () =>
    run.act('checkDependencies', `Dependency probes for ${run.targetRef}`, { inventory }),
  );
  run.board.status.findings.push(...findings);
  run.board.audit(
    'dependency check',
    'ok',
    findings.length === 0 ? 'no findings' : findings.map((f) => f.summary).join('; '),
  );
  const blocking = findings.filter((f) => f.blocking);
  if (blocking.length === 0) return 'proceed';
  return decideDependencies(
    run,
    `${blocking.length} dependency finding(s): ${blocking.map((f) => f.summary).join('; ')}`,
  );
}

/** Waits for an admin's `resolveDependencies` (proceed or abort), in the current stage. */
export async function decideDependencies(run: Run, why: string): Promise<'proceed' | 'abort'> {
  const stage = run.board.stage;
  const details = `Waiting for an admin: ${why} — \`offboard resolve ${run.workflowId} --proceed|--abort --note …\``;
  run.board.transition(stage, details, 'dependencies');
  await run.activities.notify('dependencies-found', `${run.targetRef}: dependency decision needed`, why);
  await run.waitFor(() => run.decisions.dependency.has(), 'a dependency decision');
  // None means a rescind ended the wait: that counts as abort.
  const decision = run.decisions.dependency.take() ?? 'abort';
  run.board.transition(stage, `Admin decided: ${decision}`);
  return decision;
}
