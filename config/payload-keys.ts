import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dataDirOf, type Env, read } from './env';
import { publishOnce } from './publish-once';

/**
 * The keys that encrypt what the runs store in Temporal (config/codec.ts). One JSON file, named by
 * OFFBOARD_PAYLOAD_KEYS, shared by the worker, the API server and anything else that reads or writes run data:
 *
 *   { "current": "2025-06", "keys": { "2025-06": "<32 random bytes, base64>", "2024-11": "<…>" } }
 *
 * `current` encrypts everything new; every key listed decrypts. Rotation: add a key, make it `current`, keep the old
 * ones as long as a run that used them is open or its history must stay readable. `openssl rand -base64 32` makes a
 * key. In emulator mode, without OFFBOARD_PAYLOAD_KEYS, one file is made per installation under
 * OFFBOARD_DATA_DIR/keys (mode 0600), as for the signing keys.
 */

export const LOCAL_PAYLOAD_KEYS_FILE = 'payload-keys.json';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** 32 bytes in standard base64 with its padding: 43 characters and one "=". */
const KEY_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/**
 * The loaded keys. The key material lives in KeyObjects, which neither JSON.stringify nor console.log reveal; the
 * keyring itself prints as its key ids only.
 */
export class PayloadKeyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;

  constructor(
    /** The key id that encrypts new payloads. */
    readonly current: string,
    keys: ReadonlyMap<string, KeyObject>,
    /** Where the keys came from (a file path), for messages. */
    readonly source: string,
  ) {
    if (!keys.has(current)) throw new Error(`${source}: current key "${current}" is not among the keys`);
    this.#keys = keys;
  }

  /** Every key id, the current one first. */
  get keyIds(): string[] {
    return [this.current, ...[...this.#keys.keys()].filter((kid) => kid !== this.current)];
  }

  key(kid: string): KeyObject | undefined {
    return this.#keys.get(kid);
  }

  toJSON(): { current: string; keyIds: string[]; source: string } {
    return { current: this.current, keyIds: this.keyIds, source: this.source };
  }
}

/** Parses the key file's text; throws an Error naming `source`, the field and its rule (never a key's value). */
export function parsePayloadKeys(text: string, source: string): PayloadKeyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const shape = `must be { "current": "<key id>", "keys": { "<key id>": "<32 bytes, base64>" } }`;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${source}: ${shape}`);
  const file = parsed as Record<string, unknown>;
  const unknown = Object.keys(file).filter((field) => field !== 'current' && field !== 'keys');
  if (unknown.length > 0) throw new Error(`${source}: unknown field "${unknown[0]}"; the file ${shape}`);
  const { current, keys } = file;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0)
    throw new Error(`${source}: "keys" must be an object of at least one key id → key`);
  const loaded = new Map<string, KeyObject>();
  for (const [kid, value] of Object.entries(keys as Record<string, unknown>)) {
    if (!KEY_ID.test(kid))
      throw new Error(`${source}: key id "${kid}" must be 1-64 letters, digits, ".", "_" or "-" (it is stored)`);
    if (typeof value !== 'string' || !KEY_BASE64.test(value))
      throw new Error(
        `${source}: keys.${kid} must be 32 random bytes in base64 (44 characters, as \`openssl rand -base64 32\` prints)`,
      );
    const bytes = Buffer.from(value, 'base64');
    loaded.set(kid, createSecretKey(bytes));
    bytes.fill(0);
  }
  if (typeof current !== 'string' || !loaded.has(current))
    throw new Error(`${source}: "current" must name one of the keys (${[...loaded.keys()].join(', ')})`);
  return new PayloadKeyring(current, loaded, source);
}

export function readPayloadKeysFile(path: string): PayloadKeyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      cause: err,
    });
  }
  return parsePayloadKeys(text, path);
}

/** `p-2025-06-01-3fa2`: the day it was made, and enough randomness that two keys made the same day differ. */
const newKeyId = () => `p-${new Date().toISOString().slice(0, 10)}-${randomBytes(2).toString('hex')}`;

/** A new key file's content with one fresh key. */
export function newPayloadKeysFile(kid = newKeyId()): string {
  return JSON.stringify({ current: kid, keys: { [kid]: randomBytes(32).toString('base64') } }, null, 2) + '\n';
}

/**
 * Rotation: adds a fresh key to the file at `path` and makes it current; every key already there stays, so what they
 * encrypted still decrypts. The file is checked first and replaced whole (mode 0600). Returns the new key id. The
 * worker and the API server read the file at start: restart both (in any order: each decrypts with either key).
 */
export function addPayloadKey(path: string): string {
  readPayloadKeysFile(path); // refuses a broken file before anything is written
  const file = JSON.parse(readFileSync(path, 'utf8')) as { current: string; keys: Record<string, string> };
  const kid = newKeyId();
  const next = { current: kid, keys: { [kid]: randomBytes(32).toString('base64'), ...file.keys } };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
  return kid;
}

/**
 * For the emulator mode (demo, development): one key file per installation under `dir`, made on first use (0600)
 * and reused after; the worker, the server and the CLI of one installation find the same file.
 */
export function ensureLocalPayloadKeys(dir: string): string {
  const path = join(dir, LOCAL_PAYLOAD_KEYS_FILE);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    publishOnce(path, newPayloadKeysFile(), 0o600);
  }
  return path;
}

/**
 * OFFBOARD_PAYLOAD_KEYS: the path of the key file. Required unless in emulator mode (OFFBOARD_ALIBABA_MODE unset or
 * "emulator"), where the installation's own file is used.
 */
export function readPayloadKeys(env: Env, problems: string[]): PayloadKeyring | undefined {
  const emulator = (env.OFFBOARD_ALIBABA_MODE || 'emulator') === 'emulator';
  const rule = z.string({
    error:
      'is required outside emulator mode: the path of the payload encryption keys, a JSON file ' +
      '{ "current": "<key id>", "keys": { "<key id>": "<32 bytes, base64>" } }',
  });
  const given = read(env, 'OFFBOARD_PAYLOAD_KEYS', emulator ? rule.optional() : rule, problems);
  if (!emulator && given === undefined) return undefined;
  try {
    return readPayloadKeysFile(given ?? ensureLocalPayloadKeys(join(dataDirOf(env), 'keys')));
  } catch (err) {
    problems.push(`OFFBOARD_PAYLOAD_KEYS: ${(err as Error).message}`);
    return undefined;
  }
}
