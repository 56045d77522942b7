/**
 * What Temporal stores is not readable without the payload keys. A whole offboarding (blocked once by a missing
 * permission, retried, approved with a comment, deleted) runs through the harness, whose clients and worker encrypt;
 * then a plain client, as anyone with raw Temporal access has, reads the history: no inventory, comment, ticket,
 * signed token or Alibaba request id is in it, and every payload but the search attributes is ciphertext. The same
 * history, decoded with the codec, holds every one of them (so the search itself is sound).
 */
import { type temporal } from '@temporalio/proto';
import { OffboardingStage } from '../../common/stages';
import { ENCRYPTED_ENCODING, PayloadEncryptionCodec } from '../../config/codec';
import { readPayloadKeysFile } from '../../config/payload-keys';
import { TEST_PAYLOAD_KEYS_PATH, testClient } from '../support/temporal';
import { decide, people } from '../support/trust';
import { journal, offboardInput, setWorkerClusterAccess, startOffboard, waitForStage } from '../workflows/harness';
import { useHarness } from '../workflows/use-harness';

const h = useHarness('at-rest');

type Payload = temporal.api.common.v1.IPayload;
interface Found {
  path: string;
  payload: Payload;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isPayload = (v: unknown): v is Payload =>
  typeof v === 'object' && v !== null && isBytes((v as Payload).data) && typeof (v as Payload).metadata === 'object';

/** Every payload in a history message, with where it sits. */
function payloadsOf(value: unknown, path = ''): Found[] {
  if (isPayload(value)) return [{ path, payload: value }];
  if (typeof value !== 'object' || value === null || isBytes(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => payloadsOf(child, `${path}.${key}`));
}

/** All text a reader of the database sees: every string, and every byte field read as UTF-8. */
function readableText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isBytes(value)) return Buffer.from(value).toString('utf8');
  if (typeof value !== 'object' || value === null) return '';
  return Object.values(value).map(readableText).join('\n');
}

const encoding = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8');

test('a run stored in Temporal keeps its inventory, comments, tokens and request ids encrypted', async () => {
  const ticket = `HR-${Date.now()}`;
  const comment = 'leaving for a competitor; do not tell the team before Friday';
  await setWorkerClusterAccess(h.emulator, false);
  const { handle, workflowId } = await startOffboard(h, offboardInput(h, 'alice', { ticket, comment }));
  await waitForStage(handle, OffboardingStage.Blocked, 30_000, 'blocked');
  await setWorkerClusterAccess(h.emulator, true);
  await decide(h, handle, 'retry', { reason: 'policy re-attached' }, people.carol);
  await waitForStage(handle, OffboardingStage.AwaitingApproval, 30_000, 'approval');
  await decide(h, handle, 'approveDeletion', { comment: 'confirmed with the manager' }, people.dave);
  expect((await handle.result()).stage).toBe(OffboardingStage.Completed);

  const requestIds = (await journal(h.emulator)).map((entry) => entry.requestId);
  const denied = (await journal(h.emulator)).find((entry) => entry.statusCode === 403);
  const secrets = {
    ticket,
    comment,
    accessKeyId: 'LTAIdemoAlice000000001', // the inventory of alice's credentials
    policy: 'AliyunOSSReadOnlyAccess',
    group: 'developers',
    mfa: 'mfa/alice',
    requesterName: people.hrJane.name,
    deniedRequestId: denied?.requestId, // in the failure of the blocked step
  };
  expect(requestIds.length).toBeGreaterThan(10);

  // As someone with raw Temporal access reads it: no codec.
  const plainClient = await testClient({ plain: true });
  const stored = await plainClient.workflow.getHandle(workflowId).fetchHistory();
  const storedText = readableText(stored);
  for (const [what, value] of Object.entries(secrets))
    expect({ what, inClear: storedText.includes(value!) }).toEqual({ what, inClear: false });
  for (const id of requestIds) expect({ id, inClear: storedText.includes(id) }).toEqual({ id, inClear: false });

  // Every payload is ciphertext, except the search attributes, which Temporal must read to list runs.
  const payloads = payloadsOf(stored);
  const plainOnes = payloads.filter(({ payload }) => encoding(payload) !== ENCRYPTED_ENCODING);
  expect(payloads.length - plainOnes.length).toBeGreaterThan(20);
  // Besides those, the SDK's own bookkeeping for local activities (the audit outbox) is plain: its marker's `data`
  // holds only sequence numbers, the activity's type and times, which are checked here to carry nothing else.
  const sdkMarkerData = /\.markerRecordedEventAttributes\.details\.data\.payloads\.\d+$/;
  // So is a patch marker (workflow versioning, `patched()`): it holds the patch's name and a flag, nothing of the run.
  const patchMarkerData = /\.markerRecordedEventAttributes\.details\.patch-data\.payloads\.\d+$/;
  expect(
    plainOnes.filter(
      ({ path }) =>
        !/\.searchAttributes\.indexedFields\./.test(path) && !sdkMarkerData.test(path) && !patchMarkerData.test(path),
    ),
  ).toEqual([]);
  for (const { payload } of plainOnes.filter(({ path }) => patchMarkerData.test(path))) {
    expect(Object.keys(JSON.parse(Buffer.from(payload.data!).toString()) as object).sort()).toEqual([
      'deprecated',
      'id',
    ]);
  }
  const markerKeys = new Set(
    plainOnes
      .filter(({ path }) => sdkMarkerData.test(path))
      .flatMap(({ payload }) => Object.keys(JSON.parse(Buffer.from(payload.data!).toString()) as object)),
  );
  const sdkMarkerKeys = [
    'activity_id',
    'activity_type',
    'attempt',
    'backoff',
    'complete_time',
    'original_schedule_time',
    'seq',
  ];
  expect([...markerKeys].filter((key) => !sdkMarkerKeys.includes(key))).toEqual([]);

  // With the codec (the worker's keys, showing the plaintext search attributes as they are), the same history holds
  // all of it.
  const codec = new PayloadEncryptionCodec(readPayloadKeysFile(TEST_PAYLOAD_KEYS_PATH), { plaintext: 'pass' });
  const decoded = await codec.decode(payloads.map(({ payload }) => payload));
  const decodedText = readableText(decoded);
  for (const [what, value] of Object.entries(secrets))
    expect({ what, decoded: decodedText.includes(value!) }).toEqual({ what, decoded: true });
  // The run records the request ids of its changes (its audit trail): several of them, all encrypted above.
  expect(requestIds.filter((id) => decodedText.includes(id)).length).toBeGreaterThan(5);
  // The request token the API signed travels in the input: encrypted like the rest.
  const input = JSON.parse(Buffer.from(decoded.find((p) => /"authorization"/.test(readableText(p)))!.data!).toString());
  expect(storedText).not.toContain(input.authorization);
}, 120_000);
