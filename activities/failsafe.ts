import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation } from '@temporalio/client';
import {
  DEFAULT_DELETION_FAILSAFE,
  deletionFailsafeWorkflowId,
  parseFailsafeSetting,
  reserveDeletionUpdate,
} from '../common/deletion-failsafe';
import { type ActivityContext } from './deps';
import { assertServedAccount } from './run-policy';
import { type OffboardActivities } from './types';

/**
 * The blast-radius failsafe's door: a run's deletion is counted by its account's governor
 * (workflows/deletion-failsafe.ts), started here if it is not running yet (update-with-start, USE_EXISTING), so
 * that runs reaching Deletion at the same time are counted one after another. The governor answers a retried
 * reservation as it answered the first. With the failsafe off, nothing is asked and every deletion is granted.
 */
export function failsafeActivities({ deps }: ActivityContext): Pick<OffboardActivities, 'reserveDeletion'> {
  // Without a setting (a deps built by hand), the documented default: the failsafe is never off by omission.
  const setting = deps.deletionFailsafe ?? parseFailsafeSetting(DEFAULT_DELETION_FAILSAFE);
  return {
    async reserveDeletion({ accountId, workflowId, runId, targetRef }) {
      assertServedAccount(deps, accountId);
      if (setting === 'off' || setting === undefined) {
        return { granted: true, count: 0, limit: 0, windowMs: 0, off: true };
      }
      const { client, info } = Context.current();
      const startWorkflowOperation = new WithStartWorkflowOperation('deletionFailsafe', {
        workflowId: deletionFailsafeWorkflowId(accountId),
        taskQueue: info.taskQueue,
        args: [{ accountId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return client.workflow.executeUpdateWithStart(reserveDeletionUpdate, {
        args: [{ workflowId, runId, targetRef, limit: setting.limit, windowMs: setting.windowMs }],
        startWorkflowOperation,
      });
    },
  };
}
