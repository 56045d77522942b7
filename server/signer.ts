import { randomUUID } from 'node:crypto';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import { type MessageArgsByName, type MessageName } from '../common/messages';
import { type StartedWorkflow } from '../common/requests';
import { TOKEN_TYPE } from '../common/signed-token';
import { type Ed25519Jwk } from '../config/trust-keys';

/**
 * Signs what an authenticated person asks of a run: the start of a run (a request token, carried in the workflow
 * input) and each decision (a decision token, the argument of the update or signal). The workflow verifies both
 * itself (common/signed-token.ts); the format is described there.
 */

/** The person a token speaks for, as the API authenticated them. */
export interface Person {
  subject: string;
  name: string;
  roles: string[];
  ramUser?: string;
}

export interface TokenSigner {
  /** Key ids, newest (preferred) first. */
  readonly keyIds: string[];
  signRequest(p: { workflow: StartedWorkflow; workflowId: string; request: object; person: Person }): Promise<string>;
  /**
   * A schedule grant (common/signed-token.ts): the admin's authorization that every run of the schedule carries.
   * `workflowId` is the schedule action's workflow id; it lives `lifetimeSeconds` (at most a year and a day).
   */
  signScheduleGrant(p: {
    workflow: StartedWorkflow;
    scheduleId: string;
    workflowId: string;
    request: object;
    person: Person;
    lifetimeSeconds: number;
  }): Promise<string>;
  signDecision<N extends MessageName>(p: {
    workflowId: string;
    runId: string;
    decision: N;
    args: MessageArgsByName[N];
    person: Person;
    /** The key ids the run trusts (its status says): the newest of ours among them signs. */
    trustedKeyIds?: readonly string[];
  }): Promise<string>;
}

/** `keys` newest first; each token lives `lifetimeSeconds` (the workflow refuses more than 600). */
export async function createTokenSigner(
  keys: readonly Ed25519Jwk[],
  issuer: string,
  lifetimeSeconds = 300,
): Promise<TokenSigner> {
  if (keys.length === 0) throw new Error('no signing key');
  const imported = await Promise.all(
    keys.map(async (k) => ({ kid: k.kid, key: await importJWK({ ...k, alg: 'EdDSA' }, 'EdDSA') })),
  );

  async function sign(
    claims: JWTPayload,
    person: Person,
    trusted?: readonly string[],
    lifetime = lifetimeSeconds,
  ): Promise<string> {
    const signing = trusted ? imported.find((k) => trusted.includes(k.kid)) : imported[0];
    if (!signing) {
      throw new Error(`none of the API's signing keys (${keys.map((k) => k.kid).join(', ')}) is trusted by the run`);
    }
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      ...claims,
      name: person.name,
      roles: person.roles,
      ...(person.ramUser ? { ramUser: person.ramUser } : {}),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: TOKEN_TYPE })
      .setIssuer(issuer)
      .setSubject(person.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(signing.key);
  }

  return {
    keyIds: keys.map((k) => k.kid),
    signRequest: ({ workflow, workflowId, request, person }) =>
      sign({ kind: 'request', workflow, workflowId, request: request as JWTPayload }, person),
    signScheduleGrant: ({ workflow, scheduleId, workflowId, request, person, lifetimeSeconds: lifetime }) =>
      sign(
        { kind: 'schedule', workflow, scheduleId, workflowId, request: request as JWTPayload },
        person,
        undefined,
        lifetime,
      ),
    signDecision: ({ workflowId, runId, decision, args, person, trustedKeyIds }) =>
      sign({ kind: 'decision', workflowId, runId, decision, args: args as JWTPayload }, person, trustedKeyIds),
  };
}
