import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { ApiError } from '../api-error';

/**
 * ACS3-HMAC-SHA256 verification, exactly as @alicloud/openapi-core 1.0.8 signs (reference §3.4): canonical request =
 * METHOD, path as sent, query re-encoded from its decoded values, the signed headers, and the SHA-256 of the body
 * bytes actually received (so a tampered body fails too). The date and nonce checks that stop a replay are in replay.ts.
 */

const ALGORITHM = 'ACS3-HMAC-SHA256';
/** Headers that must be signed: without them a nonce or date could be swapped under a valid signature. */
const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce'];

export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header)
    throw new ApiError(E.incompleteSignature, 400, 'The request signature is missing (no Authorization header).');
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new ApiError(
      E.incompleteSignature,
      400,
      `Unsupported signature algorithm ${algorithm}; expected ${ALGORITHM}.`,
    );
  }
  let accessKeyId = '';
  let signedHeaders = '';
  let signature = '';
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 'Credential') accessKeyId = value;
    else if (name === 'SignedHeaders') signedHeaders = value;
    else if (name === 'Signature') signature = value;
  }
  if (!accessKeyId || !signedHeaders || !/^[0-9a-f]{64}$/.test(signature)) {
    throw new ApiError(E.incompleteSignature, 400, 'The Authorization header does not conform to ACS3-HMAC-SHA256.');
  }
  const names = signedHeaders.split(';');
  for (const required of REQUIRED_SIGNED) {
    if (!names.includes(required)) {
      throw new ApiError(E.incompleteSignature, 400, `The signature does not cover the required header ${required}.`);
    }
  }
  return { accessKeyId, signedHeaders: names, signature };
}

/** Decoded query pairs in wire order. `+` means space, as in Node's querystring. */
export function parseQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  const out: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.push([decode(k), decode(v)]);
    } catch {
      throw new ApiError(E.signatureDoesNotMatch, 400, `Malformed percent-encoding in query parameter ${k}.`);
    }
  }
  return out;
}

function decode(s: string): string {
  // Fast path: most values (ids, numbers, booleans) need no decoding.
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** encodeURIComponent plus `! ' ( ) *`, as the SDK's signer does. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(pairs: [string, string][]): string {
  if (pairs.length === 0) return '';
  // The SDK sorts keys with the default (UTF-16 code unit) order and leaves keys unencoded.
  const sorted = pairs.length === 1 ? pairs : [...pairs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (let i = 0; i < sorted.length; i++) out += `${i === 0 ? '' : '&'}${sorted[i][0]}=${encode(sorted[i][1])}`;
  return out;
}

function canonicalUri(rawPath: string): string {
  return rawPath.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
}

export interface SignedRequest {
  method: string;
  rawPath: string;
  query: [string, string][];
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function stringToSign(req: SignedRequest, signedHeaders: string[]): string {
  let canonicalHeaders = '';
  for (const name of signedHeaders) {
    const v = req.headers[name];
    const value = Array.isArray(v)
      ? v
          .map((x) => x.trim())
          .sort()
          .join(',')
      : (v ?? '').trim();
    canonicalHeaders += `${name}:${value}\n`;
  }
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  const canonicalRequest =
    `${req.method}\n${canonicalUri(req.rawPath)}\n${canonicalQuery(req.query)}\n` +
    `${canonicalHeaders}\n${signedHeaders.join(';')}\n${payloadHash}`;
  return `${ALGORITHM}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
}

/** Throws SignatureDoesNotMatch unless `auth.signature` is the HMAC of the request under `secret`. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secret: string): void {
  const sts = stringToSign(req, auth.signedHeaders);
  const expected = createHmac('sha256', secret).update(sts).digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // Like the real gateway, show the string-to-sign (not secret) so a client can diff its own.
    throw new ApiError(
      E.signatureDoesNotMatch,
      400,
      `Specified signature does not match our calculation. server string to sign is:${sts.replace('\n', ' ')}`,
    );
  }
}
