import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLocalSecret } from '../../config/publish-once';

/**
 * The embedded provider's own secrets, made once per installation under OFFBOARD_DATA_DIR/idp (mode 0600) and reused
 * after, so that its tokens and sessions survive a restart: the RSA key that signs ID and access tokens, and the key
 * that signs its cookies.
 */

export interface IdpSecrets {
  jwks: { keys: Array<Record<string, string>> };
  cookieKeys: string[];
}

export function ensureIdpSecrets(dataDir: string): IdpSecrets {
  const dir = join(dataDir, 'idp');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const jwksPath = join(dir, 'jwks.json');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const made = {
    keys: [
      { ...privateKey.export({ format: 'jwk' }), kid: `idp-${randomUUID().slice(0, 8)}`, use: 'sig', alg: 'RS256' },
    ],
  };
  try {
    writeFileSync(jwksPath, JSON.stringify(made), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const jwks = JSON.parse(readFileSync(jwksPath, 'utf8')) as IdpSecrets['jwks'];
  return { jwks, cookieKeys: [ensureLocalSecret(join(dir, 'cookie-key'), 32).toString('base64url')] };
}
