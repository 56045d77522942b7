import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The demo people of the embedded identity provider, and their passwords: random per installation, kept in
 * `OFFBOARD_DATA_DIR/idp-users.json` (mode 0600), made on first start and reused after. `npm start` prints them.
 * Their RAM user names (preferred_username) are their login names: carol and dave are RAM users in the demo account,
 * so a run that offboards carol cannot be decided by carol.
 */

export interface DemoPerson {
  /** Login name, subject and preferred_username. */
  username: string;
  name: string;
  groups: string[];
}

export const demoPeople: readonly DemoPerson[] = [
  { username: 'hr-jane', name: 'Jane (HR)', groups: ['hr'] },
  { username: 'carol', name: 'Carol', groups: ['admin'] },
  { username: 'dave', name: 'Dave', groups: ['admin'] },
  { username: 'olivia', name: 'Olivia (on-call)', groups: ['oncall'] },
  { username: 'sam', name: 'Sam (security)', groups: ['security'] },
  { username: 'bob', name: 'Bob', groups: [] },
];

export function passwordsPath(dataDir: string): string {
  return join(dataDir, 'idp-users.json');
}

/** The passwords of the demo people (username → password), made once per installation. */
export function ensureDemoPasswords(dataDir: string): Record<string, string> {
  const path = passwordsPath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const made = Object.fromEntries(demoPeople.map((p) => [p.username, randomBytes(12).toString('base64url')]));
  try {
    writeFileSync(path, `${JSON.stringify(made, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  for (const p of demoPeople) {
    if (typeof stored[p.username] !== 'string' || stored[p.username].length < 8) {
      throw new Error(`${path}: no usable password for ${p.username}; remove the file to make new ones`);
    }
  }
  return stored;
}
