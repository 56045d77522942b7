import Cs, * as $Cs from '@alicloud/cs20151215';
import Ims from '@alicloud/ims20190815';
import Ram from '@alicloud/ram20150501';
import Sts from '@alicloud/sts20150401';
import * as $Ram from '@alicloud/ram20150501';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_FIXTURE_PATH,
  type EmulatorOptions,
  fixtureCredentials,
  type JournalEntry,
  type RunningEmulator,
  startEmulator,
} from '../../emulator';

/** Shared helpers for the emulator tests: real SDK clients pointed at a running emulator, and its admin API. */

export const ACCOUNT = '1234567890123456';
export const UID = {
  bot: '2034000000000001',
  alice: '2034000000000002',
  bob: '2034000000000003',
  carol: '2034000000000004',
  dave: '2034000000000005',
  ci: '2034000000000006',
  legacyRole: '3012345678901234567',
  formerContractor: '2034000000000099',
} as const;

export type ConfigExtras = Partial<ConstructorParameters<typeof $OpenApiUtil.Config>[0]>;

export function sdkConfig(emu: RunningEmulator, identity: string, extras: ConfigExtras = {}): $OpenApiUtil.Config {
  return new $OpenApiUtil.Config({
    ...fixtureCredentials(emu.fixture, identity),
    endpoint: emu.endpoint,
    protocol: 'http',
    regionId: 'cn-hangzhou',
    ...extras,
  });
}

export function clients(
  emu: RunningEmulator,
  identity = 'user/offboarding-bot',
  extras: ConfigExtras = {},
): { cs: Cs; ram: Ram; sts: Sts } {
  return {
    cs: new Cs(sdkConfig(emu, identity, extras)),
    ram: new Ram(sdkConfig(emu, identity, extras)),
    sts: new Sts(sdkConfig(emu, identity, extras)),
  };
}

/** An IMS 2019-08-15 client (RAM's recycle bin), signing as `identity`. */
export function imsClient(emu: RunningEmulator, identity = 'user/offboarding-bot', extras: ConfigExtras = {}): Ims {
  return new Ims(sdkConfig(emu, identity, extras));
}

/** Clients signing with an explicit key, e.g. one just returned by CreateAccessKey. */
export function clientsWithKey(
  emu: RunningEmulator,
  accessKeyId: string,
  accessKeySecret: string,
  endpoint = emu.endpoint,
): { cs: Cs; ram: Ram; sts: Sts } {
  const config = (): $OpenApiUtil.Config =>
    new $OpenApiUtil.Config({
      accessKeyId,
      accessKeySecret,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    });
  return { cs: new Cs(config()), ram: new Ram(config()), sts: new Sts(config()) };
}

/** Starts an emulator on a copy of the demo fixture changed by `edit`, written to a temp file. */
export async function startWithFixture(
  edit: (fixture: Record<string, unknown>) => void,
  options: Omit<EmulatorOptions, 'fixturePath'> = {},
): Promise<RunningEmulator> {
  const fixture = JSON.parse(readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as Record<string, unknown>;
  edit(fixture);
  const dir = mkdtempSync(join(tmpdir(), 'emulator-fixture-'));
  const fixturePath = join(dir, 'fixture.json');
  writeFileSync(fixturePath, JSON.stringify(fixture));
  return startEmulator({ port: 0, ...options, fixturePath });
}

export interface SdkErrorShape {
  name?: string;
  code?: string;
  statusCode?: number;
}

/** Awaits a call that must fail and returns the SDK error, so a test can assert its name, code and status. */
export async function sdkError(call: Promise<unknown>): Promise<SdkErrorShape & Error & Record<string, unknown>> {
  try {
    await call;
  } catch (err) {
    return err as SdkErrorShape & Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function expectApiError(call: Promise<unknown>, code: string, statusCode: number): Promise<void> {
  const err = await sdkError(call);
  expect({ name: err.name, code: err.code, statusCode: err.statusCode }).toEqual({
    name: statusCode >= 500 ? 'ServerError' : 'ClientError',
    code,
    statusCode,
  });
}

export async function admin<T = unknown>(
  emu: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${emu.url}/__emulator/${path}`, {
    method,
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export const journal = (emu: RunningEmulator): Promise<JournalEntry[]> => admin<JournalEntry[]>(emu, 'GET', 'journal');

/** Changes the world's scenario switches (POST /__emulator/options merges them over the current ones). */
export const setOptions = (emu: RunningEmulator, patch: Record<string, unknown>): Promise<unknown> =>
  admin(emu, 'POST', 'options', patch);

/** Flips a cluster's switches (`auditLog`, `certStatesUnknown`, `state`). */
export const setCluster = (emu: RunningEmulator, id: string, patch: Record<string, unknown>): Promise<unknown> =>
  admin(emu, 'POST', `clusters/${id}`, patch);

/** A fresh access key for a fixture user that has none (carol, dave), created with the root key. */
export async function keyFor(emu: RunningEmulator, userName: string): Promise<{ cs: Cs; ram: Ram; sts: Sts }> {
  const root = clients(emu, 'root').ram;
  const key = (await root.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName }))).body!.accessKey!;
  return clientsWithKey(emu, key.accessKeyId!, key.accessKeySecret!);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** uid's kubeconfig state per cluster, as ListUserKubeConfigStates shows it to `cs`'s caller. */
export async function certStates(cs: Cs, uid: string): Promise<Record<string, string>> {
  const { body } = await cs.listUserKubeConfigStates(uid, new $Cs.ListUserKubeConfigStatesRequest({ pageSize: 100 }));
  return Object.fromEntries(body!.states!.map((s) => [s.clusterId!, s.certState!]));
}

/** Polls DescribeTaskInfo until the clean task is no longer running. */
export async function finishedTask(cs: Cs, taskId: string): Promise<$Cs.DescribeTaskInfoResponseBody> {
  for (let i = 0; i < 100; i++) {
    const { body } = await cs.describeTaskInfo(taskId);
    if (body!.state !== 'running') return body!;
    await sleep(20);
  }
  throw new Error(`task ${taskId} still running`);
}

/** Strips the demo fixture's alice of everything DeleteUser refuses over, then deletes her. */
export async function deleteAlice(ram: Ram): Promise<void> {
  for (const policyName of ['AliyunCSReadOnlyAccess', 'AliyunOSSReadOnlyAccess']) {
    await ram.detachPolicyFromUser(
      new $Ram.DetachPolicyFromUserRequest({ policyName, policyType: 'System', userName: 'alice' }),
    );
  }
  await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'alice', groupName: 'developers' }));
  await ram.deleteAccessKey(
    new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: 'LTAIdemoAlice000000001' }),
  );
  await ram.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'alice' }));
  await ram.unbindMFADevice(new $Ram.UnbindMFADeviceRequest({ userName: 'alice' }));
  await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'alice' }));
}
