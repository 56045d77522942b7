/**
 * The production compose file, read as data: it registers exactly the project's search attributes, asks for its
 * secrets instead of defaulting them, and runs pinned images only. (`.ci/run` also validates it with docker-compose.)
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
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.temporal.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const services = Object.entries(compose.services);

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

  it('has no default secret: passwords, secrets and keys come from the environment, required or empty', () => {
    const secretName = /PASSWORD|PASSWD|PWD|SECRET|KEY|TOKEN/i;
    const secrets = services.flatMap(([name, service]) =>
      Object.entries(environment(service))
        .filter(([variable]) => secretName.test(variable))
        .map(([variable, value]) => ({ where: `${name}.${variable}`, value })),
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const { where, value } of secrets) {
      // Only an interpolation: `${VAR:?message}` (refuses to start without it), `${VAR}` or `${VAR:-}` (empty).
      expect({ where, value }).toEqual({ where, value: expect.stringMatching(/^\$\{\w+(:\?[^}]*|:-|)\}$/) });
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
});
