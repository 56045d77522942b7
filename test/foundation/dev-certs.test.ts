/**
 * scripts/dev-certs.sh, as an operator runs it before `docker-compose up`: a CA and one certificate per party, each
 * for what it does (server or client), and they work with the very clients our worker and API server use. A TLS
 * server with the Temporal server's certificate that requires client certificates (as TEMPORAL_TLS_REQUIRE_CLIENT_AUTH
 * does) completes the handshake with the worker's client (the Rust core's, and the Node client's), configured
 * through TEMPORAL_TLS_*; a client without a certificate, or with one from another CA, is refused.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket } from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadTemporalConfig, temporalConnectionOptions } from '../../config/temporal';
import { repoRoot } from '../../scripts/local-temporal';
import { TEST_PAYLOAD_KEYS_PATH } from '../support/temporal';

const script = join(repoRoot, 'scripts', 'dev-certs.sh');
const makeCerts = (dir: string, ...args: string[]) =>
  execFileSync(script, [...args, dir], {
    encoding: 'utf8',
    env: { ...process.env, OFFBOARD_CERT_HOSTS: 'offboard.example.com' },
  });

const dir = join(mkdtempSync(join(tmpdir(), 'offboard-certs-')), 'certs');
const otherDir = join(mkdtempSync(join(tmpdir(), 'offboard-other-ca-')), 'certs');
const read = (name: string, from = dir) => readFileSync(join(from, name));
const cert = (name: string) => new X509Certificate(read(`${name}.pem`));
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** A TLS endpoint with the Temporal server's certificate that requires a client certificate from the dev CA. */
let server: Http2SecureServer;
let address: string;
const clientsSeen: string[] = [];
beforeAll(async () => {
  makeCerts(dir);
  makeCerts(otherDir);
  server = createSecureServer({
    cert: read('temporal.pem'),
    key: read('temporal.key'),
    ca: read('ca.pem'),
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.on('stream', (stream) => {
    clientsSeen.push(String((stream.session?.socket as TLSSocket).getPeerCertificate().subject.CN));
    // Not a Temporal server: every call is answered UNIMPLEMENTED, after the handshake that this test is about.
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server?.close(resolve)));

/** The worker's connection options, from the environment compose gives it; the name checked is compose's `temporal`. */
function tlsOptionsOf(party: string, certDir = dir) {
  const options = temporalConnectionOptions(
    loadTemporalConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CERT: join(certDir, `${party}.pem`),
      TEMPORAL_TLS_KEY: join(certDir, `${party}.key`),
      TEMPORAL_TLS_CA: join(dir, 'ca.pem'),
      OFFBOARD_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS_PATH,
    }),
  );
  // Set from TEMPORAL_TLS_*: an object, never `true` or absent here.
  const tls = options.tls as Exclude<typeof options.tls, boolean | undefined>;
  return { ...options, tls: { ...tls, serverNameOverride: 'temporal' } };
}

/** What a native (Rust core) connection attempt ended with: the handshake passed when the call came back UNIMPLEMENTED. */
async function nativeHandshake(options: Parameters<typeof NativeConnection.connect>[0]): Promise<string> {
  try {
    await (await NativeConnection.connect(options)).close();
    return 'connected';
  } catch (err) {
    const message = (err as Error).message;
    return /not implemented/i.test(message) ? 'handshake passed' : message;
  }
}

test('one CA, and one certificate per party for what it does; the CA key stays private, the directory closed', () => {
  const ca = cert('ca');
  expect(ca.ca).toBe(true);
  for (const name of ['temporal', 'worker', 'api', 'ui', 'admin', 'web']) {
    expect({ name, signedByCa: cert(name).verify(ca.publicKey) }).toEqual({ name, signedByCa: true });
    expect({ name, ca: cert(name).ca }).toEqual({ name, ca: false });
  }
  expect(cert('temporal').keyUsage.sort()).toEqual([SERVER_AUTH, CLIENT_AUTH].sort());
  expect(cert('temporal').checkHost('temporal')).toBe('temporal');
  expect(cert('temporal').checkIP('127.0.0.1')).toBe('127.0.0.1');
  for (const [name, cn] of [
    ['worker', 'offboarding-worker'],
    ['api', 'offboarding-api'],
    ['ui', 'temporal-ui'],
    ['admin', 'temporal-admin'],
  ]) {
    expect({ name, usage: cert(name).keyUsage, subject: cert(name).subject }).toEqual({
      name,
      usage: [CLIENT_AUTH],
      subject: `CN=${cn}`,
    });
  }
  expect(cert('web').keyUsage).toEqual([SERVER_AUTH]);
  expect(cert('web').checkHost('offboard.example.com')).toBe('offboard.example.com');
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
});

test('the worker and the API server complete mutual TLS with the Temporal server certificate, by their own names', async () => {
  expect(await nativeHandshake(tlsOptionsOf('worker'))).toBe('handshake passed');
  const client = await Connection.connect({ ...tlsOptionsOf('api'), connectTimeout: 5_000 });
  await client.close();
  expect(clientsSeen).toEqual(expect.arrayContaining(['offboarding-worker', 'offboarding-api']));
});

test('a client without a certificate, or with one from another CA, is refused in the handshake', async () => {
  const before = clientsSeen.length;
  const { tls, ...rest } = tlsOptionsOf('worker');
  const noCert = await nativeHandshake({ ...rest, tls: { serverRootCACertificate: tls.serverRootCACertificate } });
  const otherCa = await nativeHandshake(tlsOptionsOf('worker', otherDir));
  // TLS 1.3: the client learns that its certificate (or its lack of one) was refused after its own side of the
  // handshake, as an alert, a closed connection or a broken pipe, depending on timing. What matters: the call failed
  // at the transport, and the server saw no client (below).
  const refusedAtTransport = /CertificateRequired|certificate|alert|transport error|connection closed|broken pipe/i;
  for (const outcome of [noCert, otherCa]) {
    expect(outcome).not.toBe('handshake passed');
    expect(outcome).toMatch(refusedAtTransport);
  }
  expect(clientsSeen.length).toBe(before);
});

test('run again it keeps everything; --renew issues new leaf certificates under the same CA', () => {
  const ca = read('ca.pem').toString();
  const worker = read('worker.pem').toString();
  makeCerts(dir);
  expect(read('worker.pem').toString()).toBe(worker);
  makeCerts(dir, '--renew');
  expect(read('ca.pem').toString()).toBe(ca);
  expect(read('worker.pem').toString()).not.toBe(worker);
  expect(cert('worker').verify(cert('ca').publicKey)).toBe(true);
});
