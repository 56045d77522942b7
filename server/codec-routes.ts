import { STATUS_CODES } from 'node:http';
import { type Payload } from '@temporalio/common';
import { type FastifyError, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import { mayDo, rolesNeeded } from '../common/roles';
import { PayloadCodecError, PayloadEncryptionCodec } from '../config/codec';
import { type PayloadKeyring } from '../config/payload-keys';
import { type Person } from './signer';

/**
 * The Temporal UI's remote codec (https://docs.temporal.io/production-deployment/data-encryption): `POST …/decode`,
 * body and answer `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }` (the Payloads message as protobuf
 * JSON). The UI calls it from people's browsers, with the signed-in person's access token
 * (TEMPORAL_CODEC_PASS_ACCESS_TOKEN) or cookies (TEMPORAL_CODEC_INCLUDE_CREDENTIALS), so that only people who signed
 * in, and hold one of our roles, see decoded payloads.
 *
 * `POST …/encode` answers 403 to everyone: the worker acts only on payloads encrypted with the payload keys
 * (config/codec.ts), so encrypting for a browser would hand anyone with write access to the namespace a way to
 * feed the worker. The UI needs encoding only for its write actions, which the deployment disables.
 *
 * An encapsulated plugin: its hooks apply to its own routes only. Register it with a prefix:
 *   app.register(codecRoutes, { prefix: '/codec', payloadKeys, namespace, uiOrigin, authenticate })
 *
 * Order of checks: a browser from another origin is refused (403) before anything else; then authentication (401),
 * then the role (403), all before the body is even read; then the body's shape (400) and the namespace (400).
 */

/** An RFC 9457 problem, as the server's authentication answers when it does not find a signed-in person. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export interface CodecRoutesOptions {
  /** The payload keys (TemporalConfig.payloadKeys). */
  payloadKeys: PayloadKeyring;
  /** The namespace whose payloads the codec's keys encrypt; a request naming another (X-Namespace) is refused. */
  namespace: string;
  /** The Temporal UI's origin (the server's OFFBOARD_TEMPORAL_UI_ORIGIN): the one origin whose pages may call these. */
  uiOrigin?: string;
  /** The server's authentication (bearer token or session): the person, or the problem to answer (401). */
  authenticate(request: FastifyRequest): Promise<Person | Problem>;
}

/** Payloads of a whole history event can be large; Temporal's own limit is 2 MiB per payload. */
export const CODEC_BODY_LIMIT = 4 * 1024 * 1024;
const MAX_PAYLOADS = 1000;
const BASE64 = '^[A-Za-z0-9+/_-]*={0,2}$';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}
interface PayloadsBody {
  payloads: JsonPayload[];
}

const bodySchema = {
  type: 'object',
  required: ['payloads'],
  additionalProperties: false,
  properties: {
    payloads: {
      type: 'array',
      maxItems: MAX_PAYLOADS,
      // Further Payload fields (newer protocol versions) are let through and ignored.
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string', pattern: BASE64 } },
          data: { type: 'string', pattern: BASE64 },
        },
      },
    },
  },
} as const;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});
const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ type: 'about:blank', instance: request.url, ...problem });
}

const isProblem = (result: Person | Problem): result is Problem => typeof (result as Problem).status === 'number';

export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, options) => {
  const { payloadKeys, namespace, uiOrigin, authenticate } = options;
  // A display: payloads that were never encrypted (search attributes' kin, old histories) are shown as they are.
  const codec = new PayloadEncryptionCodec(payloadKeys, { plaintext: 'pass' });

  /** CORS for the UI's origin only, with credentials (cookie or bearer token); any other origin is refused. */
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return; // not a browser: the CLI, a script
    if (origin !== uiOrigin) {
      return sendProblem(request, reply, {
        title: 'Forbidden',
        status: 403,
        detail: `origin ${origin} may not call the codec endpoint (only the Temporal UI's, OFFBOARD_TEMPORAL_UI_ORIGIN)`,
      });
    }
    reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true');
  });

  /** Who asks, and may they read runs: before the body is read. Preflights carry no credentials, by design. */
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    const who = await authenticate(request);
    if (isProblem(who)) return sendProblem(request, reply, who);
    if (!mayDo('read', who.roles)) {
      return sendProblem(request, reply, {
        title: 'Forbidden',
        status: 403,
        detail: `reading run data needs the role ${rolesNeeded('read')}; ${who.name} has ${who.roles.join(', ') || 'none'}`,
        missingRole: rolesNeeded('read'),
      });
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return sendProblem(request, reply, {
        title: 'Bad Request',
        status: 400,
        detail:
          'the body must be a Payloads message as protobuf JSON: { "payloads": [{ "metadata": {…}, "data": "…" }] }',
        errors: error.validation.map((v) => ({
          field: `body${v.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.')}`,
          rule: v.message ?? v.keyword,
        })),
      });
    }
    if (error instanceof PayloadCodecError) {
      return sendProblem(request, reply, { title: 'Payload cannot be decoded', status: 400, detail: error.message });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'codec endpoint failed');
    return sendProblem(request, reply, {
      title: STATUS_CODES[status] ?? 'Error',
      status,
      detail: status === 500 ? 'the codec endpoint failed; see the server log' : error.message,
    });
  });

  // Temporal's codec server protocol, documented by Temporal: not part of the offboarding API's own document.
  const HIDDEN_FROM_OPENAPI = { hide: true };
  for (const path of ['/decode', '/encode']) {
    app.options(path, { schema: HIDDEN_FROM_OPENAPI }, async (_request, reply) =>
      reply
        .code(204)
        .header('Access-Control-Allow-Methods', 'POST')
        .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace')
        .header('Access-Control-Max-Age', '600')
        .send(),
    );
  }

  app.post<{ Body: PayloadsBody }>(
    '/decode',
    { bodyLimit: CODEC_BODY_LIMIT, schema: { ...HIDDEN_FROM_OPENAPI, body: bodySchema } },
    async (request, reply) => {
      const asked = request.headers['x-namespace'];
      if (asked !== undefined && asked !== namespace) {
        return sendProblem(request, reply, {
          title: 'Bad Request',
          status: 400,
          detail: `X-Namespace: must be ${namespace}, the namespace whose payloads this server encrypts (got "${String(asked)}")`,
          errors: [{ field: 'X-Namespace', rule: `must be ${namespace}` }],
        });
      }
      const decoded = await codec.decode(request.body.payloads.map(fromJson));
      return { payloads: decoded.map(toJson) };
    },
  );

  app.post('/encode', { schema: HIDDEN_FROM_OPENAPI }, async (request, reply) =>
    sendProblem(request, reply, {
      title: 'Forbidden',
      status: 403,
      detail:
        'payloads are encrypted only by the worker and the offboarding API: the worker acts on nothing else, ' +
        'so this endpoint decodes for display and never encodes',
    }),
  );
};
