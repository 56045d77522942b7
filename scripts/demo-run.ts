/**
 * The demo's part that talks to the offboarding API as people would: hr-jane signs in at the embedded identity
 * provider (the device flow, driven through its pages), starts alice's offboarding (`POST /v1/offboardings`), and the
 * run is followed (`GET /v1/runs/…`) until it waits for an admin; carol's first sweep, a dry run, finds the orphaned
 * kubeconfig of former-contractor. Then what each demo person needs to sign in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminalStage, type OffboardingStage } from '../common/stages';
import { type SweepReport } from '../common/sweep';
import { type AuditEntry } from '../common/types';
import { demoPeople, passwordsPath } from '../server/idp/people';
import { signInWithDeviceFlow } from '../server/idp/headless-sign-in';

const STAGE_ENTRY = /^stage (\S+) → (\S+)$/;

export interface DemoApi {
  apiUrl: string;
  issuer: string;
  dataDir: string;
}

async function call(api: DemoApi, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${String(json.detail ?? JSON.stringify(json))}`);
  return json;
}

export function demoPasswords(dataDir: string): Record<string, string> {
  return JSON.parse(readFileSync(passwordsPath(dataDir), 'utf8')) as Record<string, string>;
}

/** Signs hr-jane in, starts alice's offboarding, and prints its stages until it waits (or `timeoutMs` passes). */
export async function startAliceAsHr(api: DemoApi, say: (line?: string) => void, timeoutMs = 90_000): Promise<string> {
  const who = { username: 'hr-jane', password: demoPasswords(api.dataDir)['hr-jane'] };
  say(`hr-jane signs in at ${api.issuer} (the device flow, as the CLI signs in) …`);
  const { access_token: token } = await signInWithDeviceFlow({ issuer: api.issuer, clientId: 'offboard-cli', who });
  say(
    `$ POST ${api.apiUrl}/v1/offboardings {"target":{"type":"user","name":"alice"},"reason":"departure","ticket":"HR-1042"}`,
  );
  const started = await call(api, token, 'POST', '/v1/offboardings', {
    target: { type: 'user', name: 'alice' },
    reason: 'departure',
    ticket: 'HR-1042',
  });
  const workflowId = String(started.workflowId);
  say(
    started.joined
      ? `An offboarding of user/alice was already running; joined it (nothing new was started).`
      : `Started the offboarding of user/alice.`,
  );
  say(`Run: ${workflowId}\nFollowing its stages:`);
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  let announced = false;
  for (;;) {
    const status = await call(api, token, 'GET', `/v1/runs/${workflowId}`).catch(() => undefined);
    if (status) {
      const audit = status.audit as AuditEntry[];
      if (!announced) say(`  ${time(String(status.startedAt))}  ${'Inventory'.padEnd(16)} started`);
      announced = true;
      for (const entry of audit.slice(seen)) {
        const m = STAGE_ENTRY.exec(entry.action);
        if (m) say(`  ${time(entry.time)}  ${m[2].padEnd(16)} ${entry.detail ?? ''}`);
      }
      seen = audit.length;
      if (status.pendingDecision || isTerminalStage(status.stage as OffboardingStage)) {
        say(`\n${String(status.details)}`);
        return workflowId;
      }
    }
    if (Date.now() > deadline) throw new Error(`alice's run did not reach a decision within ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

const time = (iso: string) => iso.slice(11, 19);

/**
 * carol (an admin) asks for the first sweep, a dry run, as a new schedule's first interval would be: it finds the
 * demo account's former-contractor, deleted 60 days ago by hand with a kubeconfig still valid, and changes nothing.
 * Prints the finding and the command that revokes it; returns the sweep's run id.
 */
export async function firstSweepAsAdmin(
  api: DemoApi,
  say: (line?: string) => void,
  timeoutMs = 90_000,
): Promise<string> {
  const who = { username: 'carol', password: demoPasswords(api.dataDir).carol };
  const { access_token: token } = await signInWithDeviceFlow({ issuer: api.issuer, clientId: 'offboard-cli', who });
  say(`$ POST ${api.apiUrl}/v1/sweeps {"mode":"dry-run"}   (carol, an admin)`);
  const started = await call(api, token, 'POST', '/v1/sweeps', { mode: 'dry-run' });
  const workflowId = String(started.workflowId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await call(api, token, 'GET', '/v1/sweeps/last').catch(() => undefined);
    const report = last?.report as SweepReport | null | undefined;
    if (report && report.workflowId === workflowId) {
      say(`Sweep ${workflowId}: ${report.outcome}`);
      for (const o of report.orphans) {
        const who = o.name ? `${o.type}/${o.name}` : `${o.type} (nameless)`;
        const where = o.kubeconfigs.map((k) => `${k.clusterId} ${k.certState}`).join(', ') || 'no kubeconfig';
        say(
          `  orphan ${who} uid ${o.uid}: gone from RAM (${o.evidence}), kubeconfig ${where}, ${o.grants} RBAC grant(s)`,
        );
      }
      return workflowId;
    }
    if (Date.now() > deadline) throw new Error(`the first sweep did not report within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** How each demo person signs in: the provider's URL, their password, their roles. */
export function signInInstructions(api: DemoApi): string[] {
  const passwords = demoPasswords(api.dataDir);
  return [
    `Identity provider (embedded, demo only): ${api.issuer}`,
    `Demo people (passwords made for this installation, kept in ${join(api.dataDir, 'idp-users.json')}):`,
    ...demoPeople.map(
      (p) => `  ${p.username.padEnd(8)} ${passwords[p.username].padEnd(18)} ${p.groups.join(', ') || '(no role)'}`,
    ),
  ];
}
