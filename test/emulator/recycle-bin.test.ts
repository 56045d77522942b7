import type Cs from '@alicloud/cs20151215';
import * as $Cs from '@alicloud/cs20151215';
import type Ims from '@alicloud/ims20190815';
import * as $Ims from '@alicloud/ims20190815';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { AlibabaErrorCodes as E } from '../../common/alibaba-error-codes';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '../../emulator';
import {
  ACCOUNT,
  admin,
  certStates,
  clients,
  clientsWithKey,
  deleteAlice,
  expectApiError,
  imsClient,
  sdkError,
  sleep,
  startWithFixture,
  UID,
} from './clients';

/**
 * RAM's recycle bin through the official IMS SDK (@alicloud/ims20190815): DeleteUser and DeleteAccessKey fill it when
 * the fixture turns it on; it lists, gets, restores and purges with RecycleDate/DeleteDate; a user in it keeps its
 * kubeconfigs as they were (the risk), and a restored one is the same uid.
 */

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;
const ALICE_KEY = 'LTAIdemoAlice000000001';
const upn = (name: string): string => `${name}@${ACCOUNT}.onaliyun.com`;

let emu: RunningEmulator;
let ims: Ims;
let ram: Ram;
let cs: Cs;

beforeAll(async () => {
  emu = await startWithFixture((f) => {
    (f.options as Record<string, unknown>).recycleBin = { retentionDays: RETENTION_DAYS };
  });
  ims = imsClient(emu);
  ({ ram, cs } = clients(emu));
});
beforeEach(() => emu.reset());
afterAll(() => emu.close());

async function binUsers(req: Partial<$Ims.ListUsersInRecycleBinRequest> = {}) {
  return (await ims.listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest(req))).body!;
}

async function createAndDelete(userName: string): Promise<string> {
  const uid = (await ram.createUser(new $Ram.CreateUserRequest({ userName }))).body!.user!.userId!;
  await ram.deleteUser(new $Ram.DeleteUserRequest({ userName }));
  return uid;
}

async function clusterRow(clusterId: string, uid: string) {
  const { body } = await cs.listClusterKubeconfigStates(
    clusterId,
    new $Cs.ListClusterKubeconfigStatesRequest({ pageSize: 50 }),
  );
  return body!.states!.find((s) => s.accountId === uid);
}

describe('DeleteUser and DeleteAccessKey fill the bin', () => {
  test('a deleted user is listed with RecycleDate now and DeleteDate = RecycleDate + retention', async () => {
    const before = Date.now();
    await deleteAlice(ram);
    const body = await binUsers();
    expect(body.isTruncated).toBe(false);
    expect(body.users!.user).toEqual([
      {
        userId: UID.alice,
        userPrincipalName: upn('alice'),
        displayName: 'Alice Liu',
        createDate: expect.stringMatching(/Z$/),
        recycleDate: expect.stringMatching(/Z$/),
        deleteDate: expect.stringMatching(/Z$/),
      },
    ]);
    const u = body.users!.user![0];
    const recycled = Date.parse(u.recycleDate!);
    expect(recycled).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(u.deleteDate!) - recycled).toBe(RETENTION_DAYS * DAY_MS);

    const got = await ims.getUserInRecycleBin(new $Ims.GetUserInRecycleBinRequest({ userId: UID.alice }));
    expect(got.body!.user).toEqual(u);
    // Her key went into the bin before her (deleteAlice deletes it first): it names her too.
    const byKey = await ims.getUserInRecycleBin(new $Ims.GetUserInRecycleBinRequest({ userAccessKeyId: ALICE_KEY }));
    expect(byKey.body!.user!.userId).toBe(UID.alice);
    const info = await ims.getAccessKeyInfoInRecycleBin(
      new $Ims.GetAccessKeyInfoInRecycleBinRequest({ userAccessKeyId: ALICE_KEY }),
    );
    expect(info.body!.accessKey!.userRecycled).toBe(true);
  });

  test('a deleted access key is listed per user and described with UserRecycled', async () => {
    await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: ALICE_KEY }));
    const keys = await ims.listAccessKeysInRecycleBin(
      new $Ims.ListAccessKeysInRecycleBinRequest({ userId: UID.alice }),
    );
    const [k] = keys.body!.accessKeys!.accessKey!;
    expect(keys.body!.accessKeys!.accessKey).toHaveLength(1);
    expect(k.accessKeyId).toBe(ALICE_KEY);
    expect(Date.parse(k.deleteDate!) - Date.parse(k.recycleDate!)).toBe(RETENTION_DAYS * DAY_MS);

    const info = await ims.getAccessKeyInfoInRecycleBin(
      new $Ims.GetAccessKeyInfoInRecycleBinRequest({ userAccessKeyId: ALICE_KEY }),
    );
    expect(info.body!.accessKey).toEqual({
      ...k,
      userId: UID.alice,
      userPrincipalName: upn('alice'),
      userRecycled: false,
    });
    // A key in the bin signs nothing.
    const err = await sdkError(
      clientsWithKey(emu, ALICE_KEY, 'demoAliceSecretNotReal000000001').sts.getCallerIdentity(),
    );
    expect(err.code).toBe(E.accessKeyNotFound);
  });

  test('a user deleted with its keys (the 2017 rule off) takes them into the bin', async () => {
    const lax = await startWithFixture((f) => {
      f.options = { recycleBin: { retentionDays: RETENTION_DAYS }, deleteUserRequiresNoCredentials: false };
    });
    const { ram } = clients(lax);
    const ims = imsClient(lax);
    try {
      const userName = 'keyholder';
      const uid = (await ram.createUser(new $Ram.CreateUserRequest({ userName }))).body!.user!.userId!;
      const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName }))).body!.accessKey!;
      await ram.deleteUser(new $Ram.DeleteUserRequest({ userName }));
      const info = await ims.getAccessKeyInfoInRecycleBin(
        new $Ims.GetAccessKeyInfoInRecycleBinRequest({ userAccessKeyId: key.accessKeyId }),
      );
      expect(info.body!.accessKey).toMatchObject({ userId: uid, userRecycled: true });
      const users = (await ims.listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({}))).body!.users!.user!;
      expect(info.body!.accessKey!.deleteDate).toBe(users[0].deleteDate);
    } finally {
      await lax.close();
    }
  });

  test('at most 3 keys per user: a fourth deleted key purges the oldest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'carol' }))).body!.accessKey!;
      await ram.deleteAccessKey(
        new $Ram.DeleteAccessKeyRequest({ userName: 'carol', userAccessKeyId: key.accessKeyId }),
      );
      ids.push(key.accessKeyId!);
    }
    const keys = await ims.listAccessKeysInRecycleBin(
      new $Ims.ListAccessKeysInRecycleBinRequest({ userId: UID.carol }),
    );
    expect(keys.body!.accessKeys!.accessKey!.map((k) => k.accessKeyId)).toEqual(ids.slice(1));
  });

  test('with the bin off (the demo fixture), deletes erase and the bin stays empty', async () => {
    const plain = await startWithFixture(() => undefined);
    try {
      await deleteAlice(clients(plain).ram);
      const body = (await imsClient(plain).listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({}))).body!;
      expect(body).toMatchObject({ isTruncated: false, users: { user: [] } });
    } finally {
      await plain.close();
    }
  });
});

describe('kubeconfigs of a user in the bin stay as they were', () => {
  test('Unexpired and listed as Deleted while in the bin; Active again, same uid, after a restore', async () => {
    await deleteAlice(ram);
    expect(await certStates(cs, UID.alice)).toEqual({ 'c-prod-1': 'Unexpired', 'c-staging-1': 'Unexpired' });
    expect(await clusterRow('c-prod-1', UID.alice)).toMatchObject({ accountState: 'Deleted', certState: 'Unexpired' });

    await ims.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({ userId: UID.alice }));
    const user = (await ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }))).body!.user!;
    expect(user.userId).toBe(UID.alice);
    expect(await clusterRow('c-prod-1', UID.alice)).toMatchObject({ accountState: 'Active', certState: 'Unexpired' });
    expect((await binUsers()).users!.user).toEqual([]);
  });
});

describe('restore', () => {
  test('the user comes back without console login or keys; its keys come back one by one, Inactive', async () => {
    await deleteAlice(ram);
    // Not while its user is in the bin.
    await expectApiError(
      ims.restoreAccessKeyFromRecycleBin(
        new $Ims.RestoreAccessKeyFromRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY }),
      ),
      E.userNotFound,
      404,
    );
    await ims.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({ userId: UID.alice }));
    await expectApiError(
      ram.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'alice' })),
      E.loginProfileNotFound,
      404,
    );
    const listKeys = async () =>
      (await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'alice' }))).body!.accessKeys!.accessKey;
    expect(await listKeys()).toEqual([]);

    await ims.restoreAccessKeyFromRecycleBin(
      new $Ims.RestoreAccessKeyFromRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY }),
    );
    expect(await listKeys()).toEqual([expect.objectContaining({ accessKeyId: ALICE_KEY, status: 'Inactive' })]);
    const err = await sdkError(
      clientsWithKey(emu, ALICE_KEY, 'demoAliceSecretNotReal000000001').sts.getCallerIdentity(),
    );
    expect(err.code).toBe(E.accessKeyInactive);
    await expectApiError(
      ims.getAccessKeyInfoInRecycleBin(new $Ims.GetAccessKeyInfoInRecycleBinRequest({ userAccessKeyId: ALICE_KEY })),
      E.accessKeyOfUserNotFound,
      404,
    );
  });

  test('refused while another user holds the name', async () => {
    await deleteAlice(ram);
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'alice' }));
    await expectApiError(
      ims.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({ userId: UID.alice })),
      E.userAlreadyExists,
      409,
    );
  });

  test('needs RAM write access; reads need RAM read access (authorized as ram:<Action>)', async () => {
    await deleteAlice(ram);
    const bob = imsClient(emu, 'user/bob');
    const err = await sdkError(bob.listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({})));
    expect({ code: err.code, statusCode: err.statusCode }).toEqual({ code: E.noPermission, statusCode: 403 });
    expect((err.data as Record<string, Record<string, unknown>>).AccessDeniedDetail.AuthAction).toBe(
      'ram:ListUsersInRecycleBin',
    );
  });
});

describe('purge', () => {
  test('DeleteUserInRecycleBin purges the user and its keys; the uid stays deleted, its kubeconfigs too', async () => {
    await deleteAlice(ram);
    await ims.deleteUserInRecycleBin(new $Ims.DeleteUserInRecycleBinRequest({ userId: UID.alice }));
    expect((await binUsers()).users!.user).toEqual([]);
    await expectApiError(
      ims.getUserInRecycleBin(new $Ims.GetUserInRecycleBinRequest({ userId: UID.alice })),
      E.userNotFound,
      404,
    );
    await expectApiError(
      ims.getAccessKeyInfoInRecycleBin(new $Ims.GetAccessKeyInfoInRecycleBinRequest({ userAccessKeyId: ALICE_KEY })),
      E.accessKeyOfUserNotFound,
      404,
    );
    await expectApiError(
      ims.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({ userId: UID.alice })),
      E.userNotFound,
      404,
    );
    expect(await clusterRow('c-prod-1', UID.alice)).toMatchObject({ accountState: 'Deleted', certState: 'Unexpired' });
  });

  test('DeleteAccessKeyInRecycleBin purges one key', async () => {
    await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'alice', userAccessKeyId: ALICE_KEY }));
    await ims.deleteAccessKeyInRecycleBin(
      new $Ims.DeleteAccessKeyInRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY }),
    );
    const keys = await ims.listAccessKeysInRecycleBin(
      new $Ims.ListAccessKeysInRecycleBinRequest({ userId: UID.alice }),
    );
    expect(keys.body!.accessKeys!.accessKey).toEqual([]);
    await expectApiError(
      ims.deleteAccessKeyInRecycleBin(
        new $Ims.DeleteAccessKeyInRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY }),
      ),
      E.accessKeyOfUserNotFound,
      404,
    );
  });

  test('RAM purges an entry when its DeleteDate comes (a fixture user deleted just short of the retention)', async () => {
    const fixtureEmu = await startWithFixture((f) => {
      f.options = { recycleBin: { retentionDays: 1 } };
      (f.deletedUsers as Record<string, unknown>[]).push(
        { name: 'leaving-now', id: '2034000000000101', deleted: `-${DAY_MS - 2000}ms`, inRecycleBin: true },
        { name: 'staying', id: '2034000000000102', deleted: '-1h', inRecycleBin: true },
      );
    });
    try {
      const client = imsClient(fixtureEmu);
      const names = async () =>
        (await client.listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({}))).body!.users!.user!.map(
          (u) => u.userPrincipalName,
        );
      expect(await names()).toEqual([upn('leaving-now'), upn('staying')]);
      await sleep(2200);
      expect(await names()).toEqual([upn('staying')]);
    } finally {
      await fixtureEmu.close();
    }
  });
});

describe('ListUsersInRecycleBin paging and Filter', () => {
  test('Marker/MaxItems pages through every entry once; IsTruncated on all but the last', async () => {
    const uids = new Set<string>();
    for (let i = 0; i < 7; i++) uids.add(await createAndDelete(`gone-${i}`));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const body = await binUsers({ maxItems: 3, ...(marker && { marker }) });
      pages++;
      seen.push(...body.users!.user!.map((u) => u.userId!));
      expect(body.isTruncated).toBe(pages < 3);
      marker = body.isTruncated ? body.marker : undefined;
    } while (marker);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(uids);
    expect(seen).toHaveLength(7);
  });

  test('a name deleted twice is in the bin twice, and both are listed', async () => {
    const first = await createAndDelete('twice');
    const second = await createAndDelete('twice');
    const pageOne = await binUsers({ maxItems: 1 });
    const pageTwo = await binUsers({ maxItems: 1, marker: pageOne.marker! });
    expect([pageOne.users!.user![0].userId, pageTwo.users!.user![0].userId].sort()).toEqual([first, second].sort());
  });

  test('Filter by logon name; a malformed Filter, MaxItems or Marker is refused', async () => {
    await createAndDelete('gone-a');
    const uid = await createAndDelete('gone-b');
    const body = await binUsers({ filter: `UserPrincipalName eq ${upn('gone-b')}` });
    expect(body.users!.user!.map((u) => u.userId)).toEqual([uid]);
    expect((await binUsers({ filter: `UserPrincipalName eq gone-b@other.onaliyun.com` })).users!.user).toEqual([]);
    await expectApiError(binUsers({ filter: 'UserName eq gone-b' }), E.ramInvalidParameter, 400);
    await expectApiError(binUsers({ maxItems: 101 }), E.invalidMaxItems, 400);
    await expectApiError(binUsers({ marker: 'bm90LWEtbWFya2Vy' }), E.invalidMarker, 400);
  });

  test('RestoreUserFromRecycleBin and DeleteUserInRecycleBin need a UserId', async () => {
    await expectApiError(
      ims.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({})),
      E.missingParameter,
      400,
    );
    await expectApiError(
      ims.deleteUserInRecycleBin(new $Ims.DeleteUserInRecycleBinRequest({})),
      E.missingParameter,
      400,
    );
  });

  test('GetUserInRecycleBin takes exactly one of UserId and UserAccessKeyId', async () => {
    await deleteAlice(ram);
    await expectApiError(ims.getUserInRecycleBin(new $Ims.GetUserInRecycleBinRequest({})), E.ramInvalidParameter, 400);
    await expectApiError(
      ims.getUserInRecycleBin(new $Ims.GetUserInRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY })),
      E.ramInvalidParameter,
      400,
    );
  });
});

describe('persistence', () => {
  test('the bin survives a restart on the state file; the state dump redacts the secrets of keys in it', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'emulator-state-')), 'state.json');
    const edit = (f: Record<string, unknown>): void => {
      (f.options as Record<string, unknown>).recycleBin = { retentionDays: RETENTION_DAYS };
    };
    const first = await startWithFixture(edit, { statePath });
    await deleteAlice(clients(first).ram);
    const dump = await admin<{ recycleBin: { accessKeys: { key: { id: string; secret: string } }[] } }>(
      first,
      'GET',
      'state',
    );
    expect(dump.recycleBin.accessKeys.map((k) => k.key)).toEqual([
      expect.objectContaining({ id: ALICE_KEY, secret: '***' }),
    ]);
    await first.close();

    const second = await startWithFixture(edit, { statePath });
    try {
      const bin = imsClient(second);
      const users = (await bin.listUsersInRecycleBin(new $Ims.ListUsersInRecycleBinRequest({}))).body!.users!.user!;
      expect(users.map((u) => u.userId)).toEqual([UID.alice]);
      await bin.restoreUserFromRecycleBin(new $Ims.RestoreUserFromRecycleBinRequest({ userId: UID.alice }));
      await bin.restoreAccessKeyFromRecycleBin(
        new $Ims.RestoreAccessKeyFromRecycleBinRequest({ userId: UID.alice, userAccessKeyId: ALICE_KEY }),
      );
      // The secret persisted with the key: once activated, it signs again.
      await clients(second).ram.updateAccessKey(
        new $Ram.UpdateAccessKeyRequest({ userName: 'alice', userAccessKeyId: ALICE_KEY, status: 'Active' }),
      );
      const who = await clientsWithKey(second, ALICE_KEY, 'demoAliceSecretNotReal000000001').sts.getCallerIdentity();
      expect(who.body!.userId).toBe(UID.alice);
    } finally {
      await second.close();
    }
  });
});
