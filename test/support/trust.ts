/**
 * Signed requests and decisions for tests that talk to runs directly: the API's own signer (server/signer.ts) with
 * a key pair made for this test process, the demo people of the embedded identity provider, and helpers that sign
 * and send a decision as a given person.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WorkflowHandle } from '@temporalio/client';
import {
  decisionSignals,
  decisionUpdates,
  type MessageAccepted,
  type MessageArgsByName,
  type MessageName,
  statusQuery,
} from '../../common/messages';
import { DEFAULT_TOKEN_ISSUER, type Ed25519Jwk, generateSigningKey } from '../../config/trust-keys';
import { firstRunIdOf } from '../../config/start';
import { createTokenSigner, type Person, type TokenSigner } from '../../server/signer';

/** The demo people (their subjects are their user names at the embedded identity provider). */
export const people = {
  hrJane: { subject: 'hr-jane', name: 'Jane (HR)', roles: ['hr'] },
  carol: { subject: 'carol', name: 'Carol', roles: ['admin'], ramUser: 'carol' },
  dave: { subject: 'dave', name: 'Dave', roles: ['admin'], ramUser: 'dave' },
  olivia: { subject: 'olivia', name: 'Olivia (on-call)', roles: ['oncall'] },
  sam: { subject: 'sam', name: 'Sam (security)', roles: ['security'] },
  bob: { subject: 'bob', name: 'Bob', roles: [] },
} satisfies Record<string, Person>;

export interface TestTrust {
  signer: TokenSigner;
  key: Ed25519Jwk;
  /** The public JWKS file the worker trusts (OFFBOARD_TRUSTED_KEYS). */
  trustedKeysPath: string;
  issuer: string;
}

/** A fresh key pair, its public JWKS on disk for the worker, and the API's signer over it. */
export async function makeTestTrust(): Promise<TestTrust> {
  const key = generateSigningKey('test-key');
  const dir = mkdtempSync(join(tmpdir(), 'offboard-keys-'));
  const trustedKeysPath = join(dir, 'trusted.jwks.json');
  writeFileSync(trustedKeysPath, JSON.stringify({ keys: [{ kty: key.kty, crv: key.crv, kid: key.kid, x: key.x }] }));
  return {
    signer: await createTokenSigner([key], DEFAULT_TOKEN_ISSUER),
    key,
    trustedKeysPath,
    issuer: DEFAULT_TOKEN_ISSUER,
  };
}

/** Signs a decision for the run behind `handle`, as the API would for `person`. */
export async function signDecisionFor<N extends MessageName>(
  trust: { signer: TokenSigner },
  handle: WorkflowHandle,
  decision: N,
  args: MessageArgsByName[N],
  person: Person,
): Promise<string> {
  const runId = firstRunIdOf(await handle.describe());
  const status = await handle.query(statusQuery).catch(() => undefined);
  return trust.signer.signDecision({
    workflowId: handle.workflowId,
    runId,
    decision,
    args,
    person,
    trustedKeyIds: status?.trustedKeyIds,
  });
}

/** Sends a signed decision as a Workflow Update; the run's answer (or its refusal, thrown). */
export async function decide<N extends MessageName>(
  trust: { signer: TokenSigner },
  handle: WorkflowHandle,
  decision: N,
  args: MessageArgsByName[N],
  person: Person,
): Promise<MessageAccepted> {
  const token = await signDecisionFor(trust, handle, decision, args, person);
  return handle.executeUpdate(decisionUpdates[decision], { args: [{ token }] });
}

/** Sends a signed decision as a Signal (for tools that can only signal). */
export async function signalDecision<N extends MessageName>(
  trust: { signer: TokenSigner },
  handle: WorkflowHandle,
  decision: N,
  args: MessageArgsByName[N],
  person: Person,
): Promise<void> {
  const token = await signDecisionFor(trust, handle, decision, args, person);
  await handle.signal(decisionSignals[decision], { token });
}
