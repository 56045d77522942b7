/**
 * A test workflow (its own bundle) that flushes the audit outbox from three lanes at once, as the sweep's lanes do,
 * then has each lane schedule a different command: the order of those commands follows the order in which the lanes
 * came back from their flush.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import { type AuditEntry } from '../../../common/types';
import { AuditOutbox } from '../../../workflows/run/audit-outbox';

const { laneA, laneB } = proxyActivities<{ laneA(): Promise<void>; laneB(): Promise<void> }>({
  startToCloseTimeout: '10s',
});

const entry = (lane: number): AuditEntry => ({
  time: '2026-11-29T00:00:00.000Z',
  actor: 'workflow',
  action: `lane ${lane}`,
  target: 'test',
  outcome: 'info',
});

export async function concurrentFlushes(oneAtATime: boolean): Promise<string[]> {
  const board = { status: { workflow: 'concurrentFlushes', audit: [] as AuditEntry[] } };
  const outbox = new AuditOutbox(board, { oneAtATime });
  const back: string[] = [];
  const next = [() => laneA(), () => sleep(10), () => laneB()];
  await Promise.all(
    next.map(async (command, lane) => {
      board.status.audit.push(entry(lane));
      await outbox.flush();
      back.push(`lane ${lane}`);
      await command();
    }),
  );
  return back;
}
