import { OffboardingStage } from '../../common/stages';
import { type Inventory } from '../../common/types';
import { type Run } from '../run/run';

/**
 * Stage 3, Quarantine: cuts access in ways that can be undone — active access keys deactivated, console login
 * blocked — each registering its undo before the change.
 */
export async function quarantine(run: Run, inv: Inventory): Promise<void> {
  run.board.transition(
    OffboardingStage.Quarantine,
    `Cutting ${run.targetRef}'s access in ways that can be undone: access keys off, console login blocked`,
  );
  if (inv.target.type !== 'user') return;
  const userName = inv.target.name;
  for (const key of inv.accessKeys.filter((k) => k.status === 'Active')) {
    const { accessKeyId } = key;
    run.register({
      name: `re-activate access key ${accessKeyId}`,
      run: async () => {
        const r = await run.act('activateAccessKey', `Re-activate key ${accessKeyId}`, { userName, accessKeyId });
        run.board.audit('UpdateAccessKey Active (restore)', 'ok', accessKeyId, r.requestIds);
      },
    });
    const r = await run.step('UpdateAccessKey', () =>
      run.act('deactivateAccessKey', `Deactivate access key ${accessKeyId}`, { userName, accessKeyId }),
    );
    run.board.audit('UpdateAccessKey Inactive', 'ok', accessKeyId, r.requestIds);
  }
  const profile = inv.loginProfile;
  if (profile) {
    run.register({
      name: 'restore console login (an admin sets a new password)',
      run: async () => {
        const r = await run.act('restoreConsoleLogin', `Restore console login of ${userName}`, { userName, profile });
        run.board.audit('CreateLoginProfile (restore)', 'ok', 'password reset required', r.requestIds);
      },
    });
    const r = await run.step('DeleteLoginProfile', () =>
      run.act('blockConsoleLogin', `Block console login of ${userName}`, { userName }),
    );
    run.board.audit('DeleteLoginProfile (quarantine)', 'ok', undefined, r.requestIds);
  }
}
