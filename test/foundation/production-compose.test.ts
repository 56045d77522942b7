/**
 * The production compose file, read as data: it registers exactly the project's search attributes, asks for its
 * secrets instead of defaulting them, and runs pinned images only; and it is locked down: mutual TLS to Temporal for
 * every party, the UI read-only behind OIDC and decoding through the API's codec, ports on loopback unless the operator
 * opts in, keys and certificates as mounted files. (`.ci/run` also validates it with docker-compose.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { allSearchAttributeKeys } from '../../common/search-attributes';
import { repoRoot } from '../../scripts/local-temporal';

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  command?: string | string[];
  ports?: string[];
  secrets?: Array<string | { source: string }>;
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.temporal.yml'), 'utf8')) as {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; environment?: string }>;
};
const services = Object.entries(compose.services);

/** What compose makes of a value with `env` set: `${VAR}`, `${VAR:-default}`, `${VAR:?message}` (refuses), `$$`. */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value
    .replace(/(?<!\$)\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
      if (env[name]) return env[name];
      if (op === '-') return arg ?? '';
      if (op === '?') throw new Error(`${name} is required: ${arg}`);
      return '';
    })
    .replace(/\$\$/g, '$');
}

/** `/run/secrets/NAME` of a secret the service mounts and the file declares as a file: NAME; anything else: undefined. */
function mountedSecret(serviceName: string, value: string | undefined): string | undefined {
  const name = /^\/run\/secrets\/([\w-]+)$/.exec(value ?? '')?.[1];
  const mounted = (compose.services[serviceName].secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
  if (!name || !mounted.includes(name)) return undefined;
  return compose.secrets?.[name]?.file ? name : undefined;
}

/** The file a mounted secret comes from, with the variables unset (the development defaults). */
const secretFile = (name: string) => interpolate(compose.secrets?.[name]?.file ?? '');

/** The services that talk to Temporal, and the client certificate each presents. */
const temporalClients = ['temporal', 'temporal-setup', 'temporal-ui', 'offboarding-worker', 'offboarding-api'];

/** A service's environment as name → value, whichever of the two forms compose allows it is written in. */
function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, String(value ?? '')]));
}

/** Pinned: a tag other than `latest`, or a digest. The tag follows the last `/`, after a registry's `host:port`. */
function isPinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== 'latest';
}

describe('docker-compose.temporal.yml', () => {
  it('registers every search attribute of common/search-attributes.ts, and no other, as Keyword', () => {
    const setup = compose.services['temporal-setup'];
    const script = [setup.command ?? []].flat().join('\n');
    const loop = /for name in ([A-Za-z ]+); do/.exec(script);
    expect(loop).not.toBeNull();
    expect(loop![1].trim().split(/\s+/).sort()).toEqual(allSearchAttributeKeys.map((key) => key.name).sort());
    expect(script).toContain('--type Keyword');
    expect(new Set(allSearchAttributeKeys.map((key) => key.type))).toEqual(new Set(['KEYWORD']));
  });

  it('has no default secret: passwords, secrets and keys come from the environment or from mounted files', () => {
    const secretName = /PASSWORD|PASSWD|PWD|SECRET|KEY|TOKEN/i;
    const switches = new Set(['TEMPORAL_CODEC_PASS_ACCESS_TOKEN']); // "pass the person's token": a switch, no token
    const secrets = services.flatMap(([name, service]) =>
      Object.entries(environment(service))
        .filter(([variable]) => secretName.test(variable) && !switches.has(variable))
        .map(([variable, value]) => ({ where: `${name}.${variable}`, service: name, value })),
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const { where, service, value } of secrets) {
      // An interpolation: `${VAR:?message}` (refuses to start without it), `${VAR}` or `${VAR:-}` (empty); or the
      // path of a file mounted as a secret.
      const ok = /^\$\{\w+(:\?[^}]*|:-|)\}$/.test(value) || mountedSecret(service, value) !== undefined;
      expect({ where, value, ok }).toEqual({ where, value, ok: true });
    }
    // The database password has no usable empty value: compose refuses to start without it.
    const required = /^\$\{TEMPORAL_DB_PASSWORD:\?[^}]+\}$/;
    expect(environment(compose.services.postgresql).POSTGRES_PASSWORD).toMatch(required);
    expect(environment(compose.services.temporal).POSTGRES_PWD).toMatch(required);
  });

  it('tells a pinned image from a floating one', () => {
    for (const image of ['postgres:16', 'temporalio/ui:2.42.1', 'registry:5000/team/worker:1.2', 'node@sha256:ab12'])
      expect({ image, pinned: isPinned(image) }).toEqual({ image, pinned: true });
    for (const image of ['postgres', 'postgres:latest', 'registry:5000/team/worker', 'temporalio/ui:latest'])
      expect({ image, pinned: isPinned(image) }).toEqual({ image, pinned: false });
  });

  it('pins every image to a version (no latest, no untagged); built services use pinned base images', () => {
    for (const [name, service] of services) {
      if (service.image !== undefined) {
        expect({ name, image: service.image, pinned: isPinned(service.image) }).toEqual({
          name,
          image: service.image,
          pinned: true,
        });
      } else {
        const build = typeof service.build === 'string' ? { context: service.build } : (service.build ?? {});
        expect({ name, build: service.build !== undefined }).toEqual({ name, build: true });
        const dockerfile = readFileSync(join(repoRoot, build.context ?? '.', build.dockerfile ?? 'Dockerfile'), 'utf8');
        const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((match) => match[1]);
        const stages = [...dockerfile.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((match) => match[1]);
        const images = bases.filter((base) => !stages.includes(base));
        expect(images.length).toBeGreaterThan(0);
        for (const image of images)
          expect({ name, image, pinned: isPinned(image) }).toEqual({ name, image, pinned: true });
      }
    }
  });

  it('Temporal requires mutual TLS, on its frontend and between its own nodes, with certificates from one CA', () => {
    const env = environment(compose.services.temporal);
    expect(env.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
    for (const variable of [
      'TEMPORAL_TLS_SERVER_CERT',
      'TEMPORAL_TLS_SERVER_KEY',
      'TEMPORAL_TLS_SERVER_CA_CERT',
      'TEMPORAL_TLS_FRONTEND_CERT',
      'TEMPORAL_TLS_FRONTEND_KEY',
      'TEMPORAL_TLS_CLIENT1_CA_CERT',
    ]) {
      expect({ variable, secret: mountedSecret('temporal', env[variable]) }).toEqual({
        variable,
        secret: expect.any(String),
      });
    }
    expect(env.TEMPORAL_TLS_INTERNODE_SERVER_NAME).toBe('temporal');
    expect(env.TEMPORAL_TLS_FRONTEND_SERVER_NAME).toBe('temporal');
  });

  it("every party that talks to Temporal presents its own client certificate and checks the server's", () => {
    const certificates = new Map<string, string>();
    for (const name of temporalClients) {
      const env = environment(compose.services[name]);
      expect({ name, address: env.TEMPORAL_ADDRESS }).toEqual({ name, address: 'temporal:7233' });
      const [cert, key, ca] = ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CA'].map((v) =>
        mountedSecret(name, env[v]),
      );
      expect({ name, cert, key, ca }).toEqual({
        name,
        cert: expect.any(String),
        key: expect.any(String),
        ca: 'tls_ca',
      });
      certificates.set(name, secretFile(cert as string));
    }
    // One identity per party (the server's own CLI and the setup job share the operator's admin certificate).
    const parties = ['temporal-setup', 'temporal-ui', 'offboarding-worker', 'offboarding-api'].map((n) =>
      certificates.get(n),
    );
    expect(new Set(parties.slice(1)).size).toBe(3);
    expect(parties.slice(1)).not.toContain(parties[0]);
    expect(environment(compose.services['temporal-ui']).TEMPORAL_TLS_ENABLE_HOST_VERIFICATION).toBe('true');
  });

  it("the UI: no write action, OIDC sign-in (secret from the environment), payloads decoded by the API's codec with the person's token", () => {
    const env = environment(compose.services['temporal-ui']);
    expect(env.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    expect(env.TEMPORAL_AUTH_ENABLED).toBe('true');
    for (const variable of ['TEMPORAL_AUTH_PROVIDER_URL', 'TEMPORAL_AUTH_CLIENT_ID', 'TEMPORAL_AUTH_CLIENT_SECRET'])
      expect({ variable, value: env[variable] }).toEqual({
        variable,
        value: expect.stringMatching(/^\$\{\w+:\?[^}]+\}$/),
      });
    expect(interpolate(env.TEMPORAL_AUTH_CALLBACK_URL)).toBe('https://127.0.0.1:8080/auth/sso/callback');
    expect(interpolate(env.TEMPORAL_CODEC_ENDPOINT)).toBe('https://127.0.0.1:8088/codec');
    expect(env.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
    // The API allows exactly the UI's origin on its codec routes, and the UI is served where the callback says.
    const api = environment(compose.services['offboarding-api']);
    expect(interpolate(api.OFFBOARD_TEMPORAL_UI_ORIGIN)).toBe(
      new URL(interpolate(env.TEMPORAL_AUTH_CALLBACK_URL)).origin,
    );
    expect(interpolate(api.OFFBOARD_API_URL)).toBe(new URL(interpolate(env.TEMPORAL_CODEC_ENDPOINT)).origin);
    const operator = {
      TEMPORAL_UI_URL: 'https://temporal.example.com',
      OFFBOARD_PUBLIC_API_URL: 'https://offboard.example.com',
    };
    expect(interpolate(env.TEMPORAL_CODEC_ENDPOINT, operator)).toBe('https://offboard.example.com/codec');
    expect(interpolate(api.OFFBOARD_TEMPORAL_UI_ORIGIN, operator)).toBe('https://temporal.example.com');
  });

  it('publishes every port on 127.0.0.1 unless the operator opts in with OFFBOARD_PUBLISH_HOST', () => {
    const ports = services.flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, port })));
    expect(ports.map((p) => p.name).sort()).toEqual(['offboarding-api', 'temporal', 'temporal-ui']);
    for (const { name, port } of ports) {
      expect({ name, published: interpolate(port) }).toEqual({
        name,
        published: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/),
      });
      expect({ name, published: interpolate(port, { OFFBOARD_PUBLISH_HOST: '0.0.0.0' }) }).toEqual({
        name,
        published: expect.stringMatching(/^0\.0\.0\.0:\d+:\d+$/),
      });
    }
  });

  it('keys and certificates reach the containers as mounted files, each only where it is needed', () => {
    for (const [name, secret] of Object.entries(compose.secrets ?? {})) {
      expect({ name, source: Object.keys(secret) }).toEqual({ name, source: ['file'] });
    }
    const mounts = (name: string) =>
      (compose.services[name].secrets ?? []).map((s) => secretFile(typeof s === 'string' ? s : s.source));
    const worker = environment(compose.services['offboarding-worker']);
    const api = environment(compose.services['offboarding-api']);
    expect(secretFile(mountedSecret('offboarding-worker', worker.OFFBOARD_PAYLOAD_KEYS) as string)).toBe(
      './.data/keys/payload-keys.json',
    );
    expect(mountedSecret('offboarding-api', api.OFFBOARD_PAYLOAD_KEYS)).toBe(
      mountedSecret('offboarding-worker', worker.OFFBOARD_PAYLOAD_KEYS),
    );
    expect(secretFile(mountedSecret('offboarding-api', api.OFFBOARD_SIGNING_KEYS) as string)).toBe(
      './.data/keys/signing.jwks.json',
    );
    expect(secretFile(mountedSecret('offboarding-worker', worker.OFFBOARD_TRUSTED_KEYS) as string)).toBe(
      './.data/keys/trusted.jwks.json',
    );
    // The signing keys stay with the API; the payload keys with the worker and the API; the CA key nowhere.
    for (const [name] of services) {
      const files = mounts(name);
      if (name !== 'offboarding-api')
        expect({ name, files }).not.toEqual({
          name,
          files: expect.arrayContaining(['./.data/keys/signing.jwks.json']),
        });
      if (!['offboarding-api', 'offboarding-worker'].includes(name))
        expect({ name, files }).not.toEqual({
          name,
          files: expect.arrayContaining(['./.data/keys/payload-keys.json']),
        });
      expect(files.filter((f) => f.endsWith('ca.key'))).toEqual([]);
    }
    expect(interpolate(compose.secrets!.payload_keys.file!, { OFFBOARD_KEYS_DIR: '/etc/offboarding' })).toBe(
      '/etc/offboarding/payload-keys.json',
    );
  });

  it('runs the API server from the same image as the worker, with its own command', () => {
    const worker = compose.services['offboarding-worker'];
    const api = compose.services['offboarding-api'];
    expect(api.build).toEqual(worker.build);
    expect(api.command).toEqual(['node', 'dist/server/main.js']);
  });
});
