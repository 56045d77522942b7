import { join } from 'node:path';
import { z } from 'zod';
import { type TrustedKey } from '../common/signed-token';
import { dataDirOf, type Env, read } from './env';
import { type Ed25519Jwk, ensureLocalAuditKeys, readJwks, trustedKeysOf } from './trust-keys';

/**
 * The keys of the audit chain: the worker signs each run's chain head with its audit key, and whoever verifies an
 * audit file (`offboard audit --verify FILE`) checks the signatures with the public part. In emulator mode both are
 * made once per installation under OFFBOARD_DATA_DIR/keys when unset; in live mode signing is on when
 * OFFBOARD_AUDIT_SIGNING_KEYS is set (recommended), and the chain alone (no signature) otherwise.
 */

const jwksPath = (what: string) => z.string({ error: `must be the path of a JWKS file of ${what}` }).min(1);

/** The key that signs (the last of OFFBOARD_AUDIT_SIGNING_KEYS: add a new key at the end to rotate). */
export function readAuditSigningKey(env: Env, live: boolean, problems: string[]): { key?: Ed25519Jwk; path?: string } {
  const given = read(env, 'OFFBOARD_AUDIT_SIGNING_KEYS', jwksPath('private Ed25519 keys').optional(), problems);
  const path = given ?? (live ? undefined : ensureLocalAuditKeys(join(dataDirOf(env), 'keys')).signingKeysPath);
  if (!path) return {};
  try {
    const keys = readJwks(path, true);
    return { key: keys[keys.length - 1], path };
  } catch (err) {
    problems.push(`OFFBOARD_AUDIT_SIGNING_KEYS: ${(err as Error).message}`);
    return {};
  }
}

/**
 * The public keys an audit file's signatures are checked with: OFFBOARD_AUDIT_PUBLIC_KEYS, or in emulator mode the
 * installation's own; undefined when none is known (then only the chain is checked).
 */
export function readAuditPublicKeys(env: Env = process.env): TrustedKey[] | undefined {
  const problems: string[] = [];
  const given = read(env, 'OFFBOARD_AUDIT_PUBLIC_KEYS', jwksPath('public Ed25519 keys').optional(), problems);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const live = env.OFFBOARD_ALIBABA_MODE === 'live';
  const path = given ?? (live ? undefined : ensureLocalAuditKeys(join(dataDirOf(env), 'keys')).publicKeysPath);
  return path ? trustedKeysOf(readJwks(path, false)) : undefined;
}
