/**
 * The payload codec and its keys, as an operator relies on them: what is stored is ciphertext under the current key;
 * a rotation keeps old payloads readable; an unknown key, a tampered or relabelled payload fails loudly; a bad key
 * file is refused with a message naming the field (and never the key); the demo installation makes its own key once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadCodecError,
  PayloadCodecFailure,
  PayloadEncryptionCodec,
} from '../../config/codec';
import { ConfigError } from '../../config/env';
import {
  addPayloadKey,
  ensureLocalPayloadKeys,
  parsePayloadKeys,
  readPayloadKeys,
  readPayloadKeysFile,
} from '../../config/payload-keys';
import { loadTemporalConfig } from '../../config/temporal';

const key = () => randomBytes(32).toString('base64');
const keyring = (current: string, keys: Record<string, string>) =>
  parsePayloadKeys(JSON.stringify({ current, keys }), 'test keys');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

const secretComment = 'confirmed with HR-1234 by phone';
const plain = (): Payload => defaultPayloadConverter.toPayload({ comment: secretComment, ticket: 'HR-1234' });

async function failureOf(promise: Promise<unknown>): Promise<PayloadCodecError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(PayloadCodecError);
  return error as PayloadCodecError;
}

describe('the payload codec', () => {
  const k1 = key();
  const k2 = key();

  it('stores ciphertext under the current key id, and decodes it back to the very payload', async () => {
    const codec = new PayloadEncryptionCodec(keyring('2025-06', { '2025-06': k1 }));
    const [encoded] = await codec.encode([plain()]);
    expect(text(encoded.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded.metadata?.[KEY_ID_METADATA])).toBe('2025-06');
    // Neither the value nor its original encoding is readable in what Temporal stores.
    expect(text(encoded.data)).not.toContain('HR-1234');
    expect(text(encoded.data)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual({ comment: secretComment, ticket: 'HR-1234' });
    expect(text(decoded.metadata?.encoding)).toBe('json/plain');
  });

  it('never encrypts two payloads alike (a fresh nonce each time)', async () => {
    const codec = new PayloadEncryptionCodec(keyring('a', { a: k1 }));
    const [x, y] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(x.data!).equals(Buffer.from(y.data!))).toBe(false);
  });

  it('rotates by adding a key: old payloads still decode, new ones use the new current key', async () => {
    const before = new PayloadEncryptionCodec(keyring('old', { old: k1 }));
    const after = new PayloadEncryptionCodec(keyring('new', { new: k2, old: k1 }));
    const [written] = await before.encode([plain()]);
    expect(defaultPayloadConverter.fromPayload((await after.decode([written]))[0])).toMatchObject({
      ticket: 'HR-1234',
    });
    const [rewritten] = await after.encode([plain()]);
    expect(text(rewritten.metadata?.[KEY_ID_METADATA])).toBe('new');
    // A worker still on the old keys cannot read it, and says why.
    const error = await failureOf(before.decode([rewritten]));
    expect(error.failure).toBe(PayloadCodecFailure.UnknownKey);
    expect(error.message).toMatch(/key "new", which is not among the keys of test keys \(old\)/);
  });

  it('fails loudly on a tampered payload, a relabelled key id, a missing key id or a truncated payload', async () => {
    const codec = new PayloadEncryptionCodec(keyring('a', { a: k1, b: k2 }));
    const [good] = await codec.encode([plain()]);

    const flipped = Buffer.from(good.data!);
    flipped[20] ^= 1;
    expect((await failureOf(codec.decode([{ ...good, data: flipped }]))).failure).toBe(PayloadCodecFailure.Tampered);

    // The key id is authenticated: a payload claiming another (known) key does not decrypt under it.
    const relabelled = { ...good, metadata: { ...good.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    expect((await failureOf(codec.decode([relabelled]))).failure).toBe(PayloadCodecFailure.Tampered);

    const noKeyId = { ...good, metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) } };
    expect((await failureOf(codec.decode([noKeyId]))).failure).toBe(PayloadCodecFailure.UnknownKey);

    const truncated = { ...good, data: Buffer.from(good.data!).subarray(0, 20) };
    expect((await failureOf(codec.decode([truncated]))).failure).toBe(PayloadCodecFailure.Malformed);

    // The same key id holding another key (a key file replaced instead of extended) is caught too.
    const impostor = new PayloadEncryptionCodec(keyring('a', { a: key() }));
    expect((await failureOf(impostor.decode([good]))).failure).toBe(PayloadCodecFailure.Tampered);
  });

  it('refuses a payload that is not encrypted; only a display (or a replay of old histories) lets it pass', async () => {
    const keys = keyring('a', { a: k1 });
    const error = await failureOf(new PayloadEncryptionCodec(keys).decode([plain()]));
    expect(error.failure).toBe(PayloadCodecFailure.NotEncrypted);
    expect(error.message).toMatch(/^payload 0: not encrypted \(encoding "json\/plain"\)/);
    const payload = plain();
    expect(await new PayloadEncryptionCodec(keys, { plaintext: 'pass' }).decode([payload])).toEqual([payload]);
  });
});

describe('the payload key file (OFFBOARD_PAYLOAD_KEYS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-payload-keys-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it.each([
    ['not JSON', '{ current: a', /not JSON/],
    ['an array', [], /must be \{ "current": "<key id>", "keys"/],
    ['a misspelt field', { curent: 'a', keys: { a: key() } }, /unknown field "curent"/],
    ['no keys', { current: 'a', keys: {} }, /"keys" must be an object of at least one key id/],
    ['a key id with a space', { current: 'a b', keys: { 'a b': key() } }, /key id "a b" must be 1-64 letters/],
    [
      'a short key',
      { current: 'a', keys: { a: randomBytes(16).toString('base64') } },
      /keys\.a must be 32 random bytes/,
    ],
    ['a hex key', { current: 'a', keys: { a: randomBytes(32).toString('hex') } }, /keys\.a must be 32 random bytes/],
    ['current not among the keys', { current: 'b', keys: { a: key() } }, /"current" must name one of the keys \(a\)/],
  ])('refuses %s, naming the file and the rule', (name, content, rule) => {
    const path = file(`${name}.json`, content);
    const problems: string[] = [];
    expect(readPayloadKeys({ OFFBOARD_PAYLOAD_KEYS: path }, problems)).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`OFFBOARD_PAYLOAD_KEYS: ${path}: `);
    expect(problems[0]).toMatch(rule);
  });

  it('never shows a key: not in a refusal, not when the keyring is printed or serialized', () => {
    const secret = key();
    const shortSecret = randomBytes(31).toString('base64');
    const problems: string[] = [];
    readPayloadKeys(
      { OFFBOARD_PAYLOAD_KEYS: file('short.json', { current: 'a', keys: { a: shortSecret } }) },
      problems,
    );
    expect(problems.join('\n')).not.toContain(shortSecret);
    const keys = keyring('a', { a: secret });
    expect(JSON.stringify(keys)).toBe(JSON.stringify({ current: 'a', keyIds: ['a'], source: 'test keys' }));
    expect(inspect(keys, { depth: 5, showHidden: true })).not.toContain(secret);
    expect(inspect(keys, { depth: 5, showHidden: true })).not.toContain(Buffer.from(secret, 'base64').toString('hex'));
  });

  it('is required outside emulator mode, and a missing file is named', () => {
    const problems: string[] = [];
    expect(readPayloadKeys({ OFFBOARD_ALIBABA_MODE: 'live' }, problems)).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^OFFBOARD_PAYLOAD_KEYS: is required outside emulator mode/)]);
    const missing = join(dir, 'missing.json');
    expect(() => loadTemporalConfig({ OFFBOARD_PAYLOAD_KEYS: missing })).toThrow(ConfigError);
    expect(() => loadTemporalConfig({ OFFBOARD_PAYLOAD_KEYS: missing })).toThrow(
      `OFFBOARD_PAYLOAD_KEYS: ${missing}: cannot be read (ENOENT)`,
    );
  });

  it('in emulator mode without it, makes one key file per installation (0600) and reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'offboard-data-'));
    const first = loadTemporalConfig({ OFFBOARD_DATA_DIR: dataDir }).payloadKeys;
    const path = join(dataDir, 'keys', 'payload-keys.json');
    expect(first.source).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const content = readFileSync(path, 'utf8');
    const second = loadTemporalConfig({ OFFBOARD_DATA_DIR: dataDir, OFFBOARD_ALIBABA_MODE: 'emulator' }).payloadKeys;
    expect(readFileSync(path, 'utf8')).toBe(content);
    // What one process of the installation wrote, another reads.
    const [written] = await new PayloadEncryptionCodec(first).encode([plain()]);
    const [read] = await new PayloadEncryptionCodec(second).decode([written]);
    expect(defaultPayloadConverter.fromPayload(read)).toMatchObject({ ticket: 'HR-1234' });
  });

  it('rotates in place (npm run keys -- --rotate-payload): a new current key, the old ones kept, the file still 0600', async () => {
    const keysDir = mkdtempSync(join(tmpdir(), 'offboard-rotate-'));
    const path = ensureLocalPayloadKeys(keysDir);
    const before = readPayloadKeysFile(path);
    const [old] = await new PayloadEncryptionCodec(before).encode([plain()]);
    const kid = addPayloadKey(path);
    const after = readPayloadKeysFile(path);
    expect(after.current).toBe(kid);
    expect(after.keyIds).toEqual([kid, before.current]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const codec = new PayloadEncryptionCodec(after);
    expect(defaultPayloadConverter.fromPayload((await codec.decode([old]))[0])).toMatchObject({ ticket: 'HR-1234' });
    const [fresh] = await codec.encode([plain()]);
    expect(Buffer.from(fresh.metadata![KEY_ID_METADATA]).toString()).toBe(kid);
    // A broken file is refused, and left as it was.
    writeFileSync(path, '{ "current": "x" }');
    expect(() => addPayloadKey(path)).toThrow(/"keys" must be an object/);
    expect(readFileSync(path, 'utf8')).toBe('{ "current": "x" }');
  });
});
