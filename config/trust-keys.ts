import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type TrustedKey } from '../common/signed-token';
import { type Env, read } from './env';
import { publishOnce } from './publish-once';

/**
 * The keys behind signed requests and decisions. The offboarding API signs with private keys (a JWKS of Ed25519
 * OKP keys, `OFFBOARD_SIGNING_KEYS`); the worker trusts the matching public keys (`OFFBOARD_TRUSTED_KEYS`) and hands
 * them to each run. Rotation: add a new key to both lists; the API signs with the newest key a run trusts.
 */

export const DEFAULT_TOKEN_ISSUER = 'acs-offboarding';

/** OFFBOARD_TOKEN_ISSUER: the `iss` the API signs with and the worker requires; the same rule for both. */
export function readTokenIssuer(env: Env, problems: string[]): string | undefined {
  return read(
    env,
    'OFFBOARD_TOKEN_ISSUER',
    z
      .string()
      .regex(/^[A-Za-z0-9._:/-]{1,200}$/, 'must be 1-200 characters without spaces')
      .default(DEFAULT_TOKEN_ISSUER),
    problems,
  );
}

/** An Ed25519 key as a JWK (RFC 8037): `x` the public key, `d` the private one. */
export interface Ed25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  kid: string;
  x: string;
  d?: string;
}

function isEd25519Jwk(k: unknown): k is Ed25519Jwk {
  const j = k as Partial<Ed25519Jwk> | null;
  return (
    typeof j === 'object' &&
    j !== null &&
    j.kty === 'OKP' &&
    j.crv === 'Ed25519' &&
    typeof j.kid === 'string' &&
    j.kid.length > 0 &&
    typeof j.x === 'string' &&
    /^[A-Za-z0-9_-]{43}$/.test(j.x)
  );
}

/** Reads a JWKS file of Ed25519 keys; throws an Error naming the file and what is wrong. */
export function readJwks(path: string, needPrivate: boolean): Ed25519Jwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON file (${(err as Error).message})`, { cause: err });
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${path}: must be a JWKS: { "keys": [ … ] }`);
  for (const k of keys) {
    if (!isEd25519Jwk(k)) throw new Error(`${path}: every key must be an Ed25519 OKP JWK with a kid and x`);
    if (needPrivate && typeof k.d !== 'string') throw new Error(`${path}: key ${k.kid} has no private part (d)`);
  }
  if (new Set(keys.map((k: Ed25519Jwk) => k.kid)).size !== keys.length) throw new Error(`${path}: key ids repeat`);
  return keys as Ed25519Jwk[];
}

/** The public part of each key, as the workflow verifies with it. */
export function trustedKeysOf(keys: readonly Ed25519Jwk[]): TrustedKey[] {
  return keys.map((k) => ({ kid: k.kid, x: k.x }));
}

/** A fresh Ed25519 key pair as a private JWK. */
export function generateSigningKey(kid = `k-${randomUUID().slice(0, 8)}`): Ed25519Jwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { kty: 'OKP', crv: 'Ed25519', kid, x: jwk.x, d: jwk.d };
}

export interface KeyFiles {
  /** Private keys, for the API only (mode 0600). */
  signingKeysPath: string;
  /** Public keys, for the worker. */
  trustedKeysPath: string;
}

/**
 * For the emulator mode (demo, development): one key pair per installation under `dir`, made on first use and
 * reused after. The worker and the server may both call this at start; the first one writes, the other reads.
 */
export function ensureLocalKeys(dir: string): KeyFiles {
  const files = { signingKeysPath: join(dir, 'signing.jwks.json'), trustedKeysPath: join(dir, 'trusted.jwks.json') };
  if (!existsSync(files.signingKeysPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    publishOnce(files.signingKeysPath, JSON.stringify({ keys: [generateSigningKey()] }, null, 2), 0o600);
  }
  if (!existsSync(files.trustedKeysPath)) {
    const keys = readJwks(files.signingKeysPath, true).map(({ kty, crv, kid, x }) => ({ kty, crv, kid, x }));
    publishOnce(files.trustedKeysPath, JSON.stringify({ keys }, null, 2), 0o644);
  }
  return files;
}

/**
 * The worker's own key pair for signing audit chain heads (activities/audit-chain.ts), made once per installation
 * like the API's: `audit-signing.jwks.json` (private, 0600, the worker only) and `audit-public.jwks.json` (for
 * whoever verifies an audit file).
 */
export function ensureLocalAuditKeys(dir: string): { signingKeysPath: string; publicKeysPath: string } {
  const files = {
    signingKeysPath: join(dir, 'audit-signing.jwks.json'),
    publicKeysPath: join(dir, 'audit-public.jwks.json'),
  };
  if (!existsSync(files.signingKeysPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    publishOnce(
      files.signingKeysPath,
      JSON.stringify({ keys: [generateSigningKey(`audit-${randomUUID().slice(0, 8)}`)] }, null, 2),
      0o600,
    );
  }
  if (!existsSync(files.publicKeysPath)) {
    const keys = readJwks(files.signingKeysPath, true).map(({ kty, crv, kid, x }) => ({ kty, crv, kid, x }));
    publishOnce(files.publicKeysPath, JSON.stringify({ keys }, null, 2), 0o644);
  }
  return files;
}
