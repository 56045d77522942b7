import type { IncomingMessage, ServerResponse } from 'node:http';

/** The HTTP plumbing under the gateway: reading a request whole, headers, loopback, JSON answers. */

const MAX_BODY_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

/** A request read to its end, its URL split as sent (the signature covers the raw path and query). */
export interface ReceivedRequest {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly body: Buffer;
  /** The body was over 1 MiB: only its start was kept, and the call is refused. */
  readonly tooLarge: boolean;
  /** performance.now() when the request arrived, for the journal's durationMs. */
  readonly started: number;
}

/** Reads `req` to its end, then calls `onReceived`. */
export function receive(req: IncomingMessage, onReceived: (request: ReceivedRequest) => void): void {
  const started = performance.now();
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    onReceived({
      req,
      method: req.method ?? 'GET',
      rawPath: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      body: chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      tooLarge: size > MAX_BODY_BYTES,
      started,
    });
  });
}

/** The first value of a request header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An answer as is (one that is not the service's, e.g. a proxy's HTML page). */
export function sendRaw(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  res.writeHead(status, { 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
