import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import type { Caller } from '../action';
import { ApiError } from '../api-error';
import { findAccessKey } from '../state/identities';
import type { WorldState } from '../state/world';
import type { CallRecord } from './call-record';
import { header, type ReceivedRequest } from './http';
import { checkTimestamp, type NonceStore } from './replay';
import { parseAuthorization, verifySignature } from './signature';

/**
 * Who signed the request, with the gateway's checks in the order a client most needs to see them: a well-formed
 * Authorization, a recent date, a known key, a matching signature, a new nonce, an active key. The caller goes into
 * the record as soon as it is known (the key id alone, while the checks are still running), and a key that passes
 * records its last use.
 */
export function authenticate(
  world: WorldState,
  nonces: NonceStore,
  request: ReceivedRequest,
  query: [string, string][],
  now: number,
  record: CallRecord,
): Caller {
  const { req, method, rawPath, body } = request;
  const auth = parseAuthorization(header(req, 'authorization'));
  record.caller = { accessKeyId: auth.accessKeyId, identity: 'anonymous', uid: '' };
  checkTimestamp(req.headers['x-acs-date'], now);
  const owner = findAccessKey(world, auth.accessKeyId);
  if (!owner) throw new ApiError(E.accessKeyNotFound, 404, `Specified access key is not found: ${auth.accessKeyId}.`);
  verifySignature({ method, rawPath, query, headers: req.headers, body }, auth, owner.key.secret);
  nonces.use(header(req, 'x-acs-signature-nonce') ?? '', now);
  if (owner.key.status !== 'Active') {
    throw new ApiError(E.accessKeyInactive, 400, `Specified access key is disabled: ${auth.accessKeyId}.`);
  }
  const caller: Caller = owner.user
    ? {
        kind: 'user',
        accessKeyId: auth.accessKeyId,
        uid: owner.user.id,
        identity: `user/${owner.user.name}`,
        user: owner.user,
      }
    : { kind: 'root', accessKeyId: auth.accessKeyId, uid: world.account.id, identity: 'root' };
  record.caller = { accessKeyId: caller.accessKeyId, identity: caller.identity, uid: caller.uid };
  owner.key.lastUsed = now;
  return caller;
}
