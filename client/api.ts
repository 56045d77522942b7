import type * as http from 'node:http';
import { apiUnreachable, type CallContext, CliError, ExitCode, type Problem, problemError } from './errors';
import { type Bearer } from './session';

/**
 * The offboarding API as the CLI calls it: JSON over HTTP(S) to OFFBOARD_API_URL, with the signed-in person's bearer
 * token, and every answer other than 2xx turned into a CliError by the one exit-code map (errors.ts). Node's own
 * http module, not fetch: a CLI in a loop pays for every module it loads, and fetch loads a whole HTTP client first.
 */

/** How long the CLI waits for an answer (the API itself gives up on a worker after 15 s). */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface CallOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** False for the routes that need no sign-in (where to sign in). */
  auth?: boolean;
  /** This access token instead of the signed-in person's (the one `offboard login` has just received). */
  token?: string;
  timeoutMs?: number;
  /** The flag (or argument) that set each field of `body` or `query`, for messages about bad input. */
  flagOf?: (field: string) => string;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

type Request = (
  url: URL,
  options: http.RequestOptions,
  answer: (res: http.IncomingMessage) => void,
) => http.ClientRequest;

export class Api {
  private transport?: Promise<{ request: Request; agent: http.Agent }>;
  private bearerAsked?: Promise<Bearer>;

  constructor(
    readonly url: string,
    /** The bearer token of the signed-in person, asked for only when a call needs it. */
    private readonly bearer: () => Promise<Bearer>,
  ) {}

  /**
   * node:http, or node:https (with TLS: loaded only for an https API), and one kept-alive connection for all the
   * calls of a command (`--wait` polls).
   */
  private connection() {
    this.transport ??= (this.url.startsWith('https:') ? import('node:https') : import('node:http')).then((m) => ({
      request: m.request as Request,
      agent: new m.Agent({ keepAlive: true }),
    }));
    return this.transport;
  }

  /** The bearer token of the signed-in person (asked for once per command). */
  signedIn(): Promise<Bearer> {
    this.bearerAsked ??= this.bearer();
    return this.bearerAsked;
  }

  get<T>(path: string, options: CallOptions = {}): Promise<T> {
    return this.call<T>('GET', path, options);
  }

  post<T>(path: string, body: unknown, options: CallOptions = {}): Promise<T> {
    return this.call<T>('POST', path, { ...options, body });
  }

  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const bearer = options.token
      ? { token: options.token, source: 'session' as const }
      : options.auth === false
        ? undefined
        : await this.signedIn();
    const target = new URL(`${this.url}${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) target.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (bearer) headers.authorization = `Bearer ${bearer.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let answer: Answer;
    try {
      answer = await this.send(target, method, headers, body, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    } catch (err) {
      throw apiUnreachable(this.url, err instanceof Error ? err.message : String(err));
    }
    const call: CallContext = { apiUrl: this.url, tokenSource: bearer?.source, flagOf: options.flagOf };
    const json = parseJson(answer);
    if (answer.status >= 200 && answer.status < 300 && json !== undefined) return json as T;
    if (answer.status >= 400) {
      const problem: Problem =
        json && typeof json === 'object'
          ? (json as Problem)
          : { detail: `HTTP ${answer.status} ${answer.text.slice(0, 200)}` };
      throw problemError(answer.status, problem, call);
    }
    throw new CliError(
      ExitCode.Unexpected,
      `${method} ${target.pathname}: an answer the CLI did not expect (HTTP ${answer.status}, ${answer.contentType || 'no content type'}) from ${this.url}`,
      'Unexpected',
    );
  }

  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<Answer> {
    const { request, agent } = await this.connection();
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'] ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    void this.transport?.then(({ agent }) => agent.destroy());
  }
}

function parseJson(answer: Answer): unknown {
  if (!/\bjson\b/.test(answer.contentType)) return undefined;
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    return undefined;
  }
}

/** The path of a run: its workflow id (offboard|revoke/<account>/<user|role>/<name>) under /v1/runs. */
export function runPath(workflowId: string, action?: string): string {
  const path = `/v1/runs/${workflowId.split('/').map(encodeURIComponent).join('/')}`;
  return action ? `${path}/${action}` : path;
}
