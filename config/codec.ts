import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type DataConverter, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { type PayloadKeyring } from './payload-keys';

/**
 * What the runs store in Temporal is encrypted: workflow inputs and results, activity inputs and results (the
 * inventory, Alibaba request ids), signals, updates, queries' answers, the UI's summary and details, and failures'
 * messages and stack traces. Temporal's database, its UI without our codec endpoint, and anyone with raw Temporal
 * access see ciphertext. Search attributes, workflow ids, activity names and failure types stay readable: Temporal
 * needs them to list and route (see README, "Security and trust").
 *
 * Each payload becomes AES-256-GCM over the whole original Payload message (its metadata too), with a fresh 96-bit
 * nonce; the key id is in the new payload's metadata and is also authenticated (AAD), so a payload relabelled with
 * another key id fails like a tampered one. A payload marked encrypted is decrypted or the decoding fails with a
 * PayloadCodecError: ciphertext never passes as if it were decoded.
 *
 * A payload that is not encrypted at all is refused too (PayloadCodecFailure.NotEncrypted): the worker acts only on
 * what someone holding the keys wrote. Without that, anyone who may poll the task queue (any principal with write
 * access to the namespace) could answer a workflow task with commands of their own, and our worker would run the
 * activities they schedule, with plaintext inputs, under its Alibaba Cloud credentials. Only displays accept
 * plaintext (`{ plaintext: 'pass' }`): the codec endpoint, and replays of histories recorded before encryption.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const FORMAT = 'acs-offboarding/aes-256-gcm/v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a payload marked encrypted could not be decrypted. */
export const PayloadCodecFailure = {
  /** The payload names no key id, or one that the keyring does not hold (removed too early, or another system's). */
  UnknownKey: 'UnknownKey',
  /** The ciphertext, nonce, tag or key id was altered, or the key under that id is not the one that encrypted it. */
  Tampered: 'Tampered',
  /** Too short to hold a nonce and a tag, or the decrypted bytes are not a Payload message. */
  Malformed: 'Malformed',
  /** Not encrypted at all, where only encrypted payloads are accepted (see above). */
  NotEncrypted: 'NotEncrypted',
} as const;
export type PayloadCodecFailure = (typeof PayloadCodecFailure)[keyof typeof PayloadCodecFailure];

/** Thrown by decoding when a payload marked encrypted cannot be decrypted. Carries no payload bytes. */
export class PayloadCodecError extends Error {
  constructor(
    readonly failure: PayloadCodecFailure,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'PayloadCodecError';
  }
}

const utf8 = (bytes: Uint8Array | undefined | null) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
const additionalData = (kid: string) => Buffer.from(`${FORMAT}:${kid}`, 'utf8');

export interface PayloadCodecOptions {
  /** `refuse` (the default: workers, clients) or `pass` (displays): what decoding does with a plaintext payload. */
  plaintext?: 'refuse' | 'pass';
}

export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly plaintext: 'refuse' | 'pass';

  constructor(
    private readonly keys: PayloadKeyring,
    options: PayloadCodecOptions = {},
  ) {
    this.plaintext = options.plaintext ?? 'refuse';
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const kid = this.keys.current;
    const key = this.keys.key(kid);
    if (!key) throw new PayloadCodecError(PayloadCodecFailure.UnknownKey, `no current key "${kid}"`, kid);
    return payloads.map((payload) => {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(kid));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: Buffer.from(kid),
        },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload, index) => this.decodeOne(payload, index));
  }

  private decodeOne(payload: Payload, index: number): Payload {
    const where = `payload ${index}`;
    const encoding = utf8(payload.metadata?.[METADATA_ENCODING_KEY]);
    if (encoding !== ENCRYPTED_ENCODING) {
      if (this.plaintext === 'pass') return payload;
      throw new PayloadCodecError(
        PayloadCodecFailure.NotEncrypted,
        `${where}: not encrypted (encoding "${encoding ?? 'none'}"); only payloads encrypted with the payload keys are accepted`,
      );
    }
    const kid = utf8(payload.metadata?.[KEY_ID_METADATA]);
    if (!kid) throw new PayloadCodecError(PayloadCodecFailure.UnknownKey, `${where}: encrypted, but names no key id`);
    const key = this.keys.key(kid);
    if (!key)
      throw new PayloadCodecError(
        PayloadCodecFailure.UnknownKey,
        `${where}: encrypted with key "${kid}", which is not among the keys of ${this.keys.source} (${this.keys.keyIds.join(', ')})`,
        kid,
      );
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES)
      throw new PayloadCodecError(PayloadCodecFailure.Malformed, `${where}: too short to be encrypted data`, kid);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(kid));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadCodecError(
        PayloadCodecFailure.Tampered,
        `${where}: does not authenticate under key "${kid}" (altered, or encrypted with another key of that id)`,
        kid,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new PayloadCodecError(PayloadCodecFailure.Malformed, `${where}: decrypted, but not a payload`, kid);
    }
  }
}

/**
 * The failure converter of every client and worker (and of the workflow bundle): failures' messages and stack traces
 * travel as an encoded payload, so the codec encrypts them too.
 */
export const FAILURE_CONVERTER_PATH = require.resolve('../common/failure-converter');

/**
 * The one data converter of everything that talks to Temporal: the worker, the API server, the CLI, the tests and
 * the scripts. `config` is a TemporalConfig (or anything carrying the keyring). `options` only for replaying
 * histories recorded before encryption (`{ plaintext: 'pass' }`).
 */
export function dataConverter(config: { payloadKeys: PayloadKeyring }, options?: PayloadCodecOptions): DataConverter {
  return {
    payloadCodecs: [new PayloadEncryptionCodec(config.payloadKeys, options)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
