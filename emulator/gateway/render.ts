import type { Product } from '../action';
import type { ApiError } from '../api-error';

/** How an API call is answered, in each product's format. */

export interface Reply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, in place of `body`: an answer that is not the service's (a `foreign-error` fault). */
  raw?: string;
  headers?: Record<string, string>;
}

/** RPC products (RAM, STS, IMS) answer PascalCase with HostId; CS (ROA) lower camel case. */
const RPC_HOSTS: Partial<Record<Product, string>> = {
  ram: 'ram.aliyuncs.com',
  sts: 'sts.aliyuncs.com',
  ims: 'ims.aliyuncs.com',
};

/** RPC bodies carry the request id at the top; CS (ROA) bodies are what the operation returns. */
export function successReply(product: Product, result: unknown, requestId: string): Reply {
  return {
    status: 200,
    body: RPC_HOSTS[product] ? { RequestId: requestId, ...(result as Record<string, unknown>) } : result,
  };
}

/**
 * RPC errors are PascalCase with HostId; CS errors use lower camel case, which the SDK reads as well (it takes
 * `Code || code`, `Message || message`, `RequestId || requestId`).
 */
export function errorReply(product: Product, err: ApiError, requestId: string): Reply {
  const host = RPC_HOSTS[product];
  const body = host
    ? { RequestId: requestId, HostId: host, Code: err.code, Message: err.message, ...err.extra }
    : { code: err.code, message: err.message, requestId, ...err.extra };
  return { status: err.status, body, ...(err.headers && { headers: err.headers }) };
}
