/**
 * `npm run keys -- [DIR]`: the key files a deployment needs, made where missing (nothing existing is changed), for the
 * compose file's secrets (OFFBOARD_KEYS_DIR) or any other orchestrator:
 *   payload-keys.json   the payload encryption keys (OFFBOARD_PAYLOAD_KEYS: worker and API server), 0600
 *   signing.jwks.json   the API's private signing keys (OFFBOARD_SIGNING_KEYS: API server only), 0600
 *   trusted.jwks.json   their public halves (OFFBOARD_TRUSTED_KEYS: the worker)
 *   audit-signing.jwks.json  the worker's private key for audit chain heads (OFFBOARD_AUDIT_SIGNING_KEYS), 0600
 *   audit-public.jwks.json   its public half, for `offboard audit --verify` (OFFBOARD_AUDIT_PUBLIC_KEYS)
 * `npm run keys -- --rotate-payload [DIR]` adds a new payload key and makes it current; the old ones stay and still
 * decrypt. DIR defaults to OFFBOARD_DATA_DIR/keys, where the emulator mode keeps the installation's own keys.
 */
import { join } from 'node:path';
import { dataDirOf } from '../config/env';
import { addPayloadKey, ensureLocalPayloadKeys, LOCAL_PAYLOAD_KEYS_FILE } from '../config/payload-keys';
import { ensureLocalAuditKeys, ensureLocalKeys } from '../config/trust-keys';

function main(argv: string[]): void {
  const rotate = argv[0] === '--rotate-payload';
  const dir = (rotate ? argv[1] : argv[0]) ?? join(dataDirOf(process.env), 'keys');
  if (rotate) {
    const kid = addPayloadKey(join(dir, LOCAL_PAYLOAD_KEYS_FILE));
    console.log(
      `keys: ${join(dir, LOCAL_PAYLOAD_KEYS_FILE)}: new current payload key ${kid}; restart the worker and the API server`,
    );
    return;
  }
  const payload = ensureLocalPayloadKeys(dir);
  const { signingKeysPath, trustedKeysPath } = ensureLocalKeys(dir);
  const audit = ensureLocalAuditKeys(dir);
  for (const path of [payload, signingKeysPath, trustedKeysPath, audit.signingKeysPath, audit.publicKeysPath]) {
    console.log(`keys: ${path}`);
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(`keys: ${(err as Error).message}`);
  process.exit(2);
}
