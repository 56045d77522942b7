import { verifySignedToken } from '../../common/signed-token';
import { type Decision, type RunStatus } from '../../common/types';
import { trustedKeysOf } from '../../config/trust-keys';
import { type ServerConfig } from '../../config/server';
import { type Run } from './runs';

/**
 * A run's audit record as people read it (the JSON audit route, the console's run page): who asked, what was decided
 * and by whom, and the trail. Each decision's signed token is verified again here with the API's own public keys, so
 * `verified` says the decision was made by the person it names — anyone holding the public keys can check the same.
 */

export interface VerifiedDecision extends Decision {
  verified: boolean;
}

export function verifiedDecisions(config: Pick<ServerConfig, 'signing'>, decisions: Decision[]): VerifiedDecision[] {
  const keys = trustedKeysOf(config.signing.keys);
  return decisions.map((d) => ({ ...d, verified: verifySignedToken(d.token, keys, config.signing.issuer).ok }));
}

export function auditRecord(config: Pick<ServerConfig, 'signing'>, run: Run, status: RunStatus) {
  return {
    workflowId: run.workflowId,
    runId: run.info.runId,
    workflow: status.workflow,
    target: status.target,
    uid: status.uid,
    accountId: status.accountId,
    requestedBy: status.requestedBy,
    requestedByName: status.requestedByName,
    reason: status.reason,
    stage: status.stage,
    outcome: status.outcome,
    trustedKeyIds: status.trustedKeyIds,
    decisions: verifiedDecisions(config, status.decisions),
    audit: status.audit,
  };
}
