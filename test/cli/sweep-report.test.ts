/**
 * `offboard sweep --last` against a finished sweep of a generated account (several clusters, named and nameless
 * orphans, role orphans, users in RAM's recycle bin, stale access): the report a person reads — clusters scanned,
 * identities seen, every orphan by uid with its name or "(nameless)" and its recycle-bin dates — and `--stale`, each
 * stale user with the ready `offboard start` command; `--json` is the report itself.
 */
import { type SweepReport } from '../../common/sweep';
import { harnessEnv, startApiServer, type ApiServer } from '../server/api-server';
import { closeTestConnections } from '../support/temporal';
import { type Harness, startHarness } from '../workflows/harness';
import { expectedOrphans, generatedAccount } from '../workflows/sweep-support';
import { argv } from './argv';
import { json, login, offboard } from './cli-harness';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const account = generatedAccount();
let h: Harness;
let api: ApiServer;
let carol: Record<string, string>;

beforeAll(async () => {
  h = await startHarness('cli-sweep-report', { editFixture: account.editFixture, taskDelayMs: 200 });
  api = await startApiServer(harnessEnv(h));
  carol = { OFFBOARD_API_URL: api.url, OFFBOARD_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'offboard-cli-')) };
  const signedIn = await login(carol, { username: 'carol', password: api.passwords().carol });
  expect(signedIn.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await h?.stop();
  await closeTestConnections();
});

test('a dry run: --last lists every orphan, nameless and recycled ones too; --stale the start commands', async () => {
  const started = json<{ workflowId: string; mode: string }>(
    await offboard(carol, argv('sweep', { dryRun: true, json: true })),
  );
  expect(started.mode).toBe('dry-run');
  const report = (await h.client.workflow.getHandle(started.workflowId).result()) as SweepReport;

  const last = await offboard(carol, argv('sweep', { last: true }));
  expect(last.code).toBe(0);
  const out = last.stdout;
  const orphans = expectedOrphans(account.summary);
  expect(out).toContain(`Sweep ${started.workflowId} (on demand) — DRY RUN: nothing was revoked`);
  expect(out).toMatch(new RegExp(`Clusters:\\s+${report.clustersScanned} scanned, 0 skipped`));
  expect(out).toMatch(
    new RegExp(`Identities seen:\\s+${report.identitiesSeen} \\(${report.kubeconfigsSeen} kubeconfigs\\)`),
  );
  expect(out).toMatch(new RegExp(`Orphans:\\s+${Object.keys(orphans).length} found, 0 revoked, 0 verified, 0 failed`));
  for (const uid of Object.keys(orphans)) expect(out).toContain(uid);
  // A nameless orphan's row says so; a recycled one's carries RAM's dates.
  for (const uid of account.summary.namelessUids) expect(out).toMatch(new RegExp(`${uid}\\s*│\\s*\\(nameless\\)`));
  for (const uid of account.summary.recycledUids) {
    const o = report.orphans.find((x) => x.uid === uid)!;
    const [binned, purged] = [o.recycleBin!.recycleDate.slice(0, 10), o.recycleBin!.deleteDate.slice(0, 10)];
    expect(out).toMatch(
      new RegExp(`${uid}\\s*│[^\\n]*│\\s*in bin ${binned}\\s*│[^\\n]*\\n[^\\n]*│\\s*purged ${purged}\\s*│`),
    );
  }
  expect(out).toContain('Revoke them: offboard sweep --revoke');
  expect(out).toMatch(new RegExp(`Stale access:\\s+${report.stale.length} \\(offboard sweep --last --stale\\)`));

  const stale = await offboard(carol, argv('sweep', { last: true, stale: true }));
  expect(stale.code).toBe(0);
  expect(report.stale.map((s) => s.userName).sort()).toEqual([...account.summary.staleUserNames].sort());
  for (const s of report.stale) {
    expect(stale.stdout).toContain(s.userName);
    expect(stale.stdout).toContain(`  ${s.startCommand}`);
  }

  const asJson = json<{ report: SweepReport; running: null }>(
    await offboard(carol, argv('sweep', { last: true, json: true })),
  );
  expect(asJson).toEqual({ accountId: h.accountId, report, running: null });
});
