import { type Decider, decisionAction, decisionRefusal, type MessageName, messageNames } from '../../common/messages';
import { mayDo } from '../../common/roles';
import { OffboardingStage } from '../../common/stages';
import { type BlockedInfo, type KubeconfigState, type RunStatus } from '../../common/types';
import { decisionRoutesByName } from '../routes/decisions';
import { type Person } from '../signer';

/**
 * What the run page shows, computed from the run's status: the stage timeline, the kubeconfig table before and after
 * revocation, the failed Alibaba operation of a Blocked run, and the decisions this person may send now. The last uses
 * the run's own rules (common/messages.ts), so a button is shown only when the run would take it; the run still
 * checks the signed decision when it arrives.
 */

const STAGE_ENTRY = /^stage (\S+) → (\S+)$/;

export interface TimelineStep {
  stage: string;
  time: string;
  detail?: string;
}

/** The stages the run went through, with when each began: its first stage at the start, then each transition. */
export function timelineOf(status: RunStatus): TimelineStep[] {
  const moves = status.audit.flatMap((entry) => {
    const m = STAGE_ENTRY.exec(entry.action);
    return m ? [{ from: m[1], stage: m[2], time: entry.time, detail: entry.detail }] : [];
  });
  // The first stage is the one the first move left (a revocation starts in Inventory and moves on at once).
  const first = moves[0]?.from ?? status.stage;
  return [
    { stage: first, time: status.startedAt },
    ...moves.map(({ stage, time, detail }) => ({ stage, time, detail })),
  ];
}

export interface KubeconfigRow {
  clusterId: string;
  clusterName?: string;
  before?: KubeconfigState;
  after?: KubeconfigState;
}

/** One row per cluster: its kubeconfig state at inventory and at verification. */
export function kubeconfigRows(status: RunStatus): KubeconfigRow[] {
  const rows = new Map<string, KubeconfigRow>();
  const row = (k: KubeconfigState) => {
    const r = rows.get(k.clusterId) ?? { clusterId: k.clusterId, clusterName: k.clusterName };
    r.clusterName ??= k.clusterName;
    rows.set(k.clusterId, r);
    return r;
  };
  for (const k of status.inventory?.kubeconfigs ?? []) row(k).before = k;
  for (const k of status.verification?.kubeconfigs ?? []) row(k).after = k;
  return [...rows.values()].sort((a, b) => a.clusterId.localeCompare(b.clusterId));
}

export interface BlockedFacts extends BlockedInfo {
  /** The Alibaba operation that failed, e.g. ListUserKubeConfigStates. */
  operation?: string;
  /** Alibaba's error code, e.g. StatusForbidden. */
  code?: string;
  requestId?: string;
}

// The message of an activity failure (activities/classify.ts toFailure): "<Op> failed: <Type> (<Code>, HTTP <n>): …".
const FAILURE_MESSAGE = /^(\w+) failed: (\w+)(?: \(([^)]*)\))?: [\s\S]*?(?:\[request ([^\]]+)\])?$/;

/** A Blocked run's failure, with the operation, code and request id read from its message. */
export function blockedFacts(blocked: BlockedInfo): BlockedFacts {
  const m = FAILURE_MESSAGE.exec(blocked.message);
  if (!m) return blocked;
  const code = m[3]?.split(', ').find((part) => !part.startsWith('HTTP '));
  return { ...blocked, operation: m[1], code, requestId: m[4] };
}

/** The rules' view of the person. */
export function deciderOf(person: Person): Decider {
  return { sub: person.subject, name: person.name, roles: person.roles, ramUser: person.ramUser };
}

export interface ActionView {
  name: MessageName;
  /** The path segment of its route: approve, reject, resolve, rescind, retry, abort. */
  segment: string;
}

/** The decisions this person may send to the run now, and, for those their role allows but the run would refuse, why. */
export function actionsFor(
  person: Person,
  status: RunStatus,
  open: boolean,
): { open: ActionView[]; withheld: Array<ActionView & { why: string }> } {
  const result = { open: [] as ActionView[], withheld: [] as Array<ActionView & { why: string }> };
  if (!open) return result;
  const situation = {
    workflow: status.workflow,
    stage: status.stage,
    pendingDecision: status.pendingDecision,
    requesterSubject: status.requestedBy,
    target: status.target,
    deletionStarted: status.stage === OffboardingStage.Deletion || status.deletedSteps.length > 0,
    approverSubject: [...status.decisions].reverse().find((d) => d.kind === 'approveDeletion')?.actor,
  };
  for (const name of messageNames) {
    if (!mayDo(decisionAction[name], person.roles)) continue;
    const view = { name, segment: decisionRoutesByName[name].path };
    const refusal = decisionRefusal(name, deciderOf(person), situation);
    if (!refusal) result.open.push(view);
    else if (refusal.type !== 'WrongStage') result.withheld.push({ ...view, why: refusal.message });
  }
  return result;
}
