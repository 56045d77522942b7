import type { Product } from '../action';
import type { ApiError } from '../api-error';

/** How an API call is answered, in each product's format. */

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** RAM (RPC) bodies carry the request id at the top; CS (ROA) bodies are what the operation returns. */
export function successReply(product: Product, result: unknown, requestId: string): Reply {
  return {
    status: 200,
    body: product === 'ram' ? { RequestId: requestId, ...(result as Record<string, unknown>) } : result,
  };
}

/**
 * RAM errors are PascalCase with HostId; CS errors use lower camel case, which the SDK reads as well (it takes
 * `Code || code`, `Message || message`, `RequestId || requestId`).
 */
export function errorReply(product: Product, err: ApiError, requestId: string): Reply {
  const body =
    product === 'ram'
      ? { RequestId: requestId, HostId: 'ram.aliyuncs.com', Code: err.code, Message: err.message, ...err.extra }
      : { code: err.code, message: err.message, requestId, ...err.extra };
  return { status: err.status, body, ...(err.headers && { headers: err.headers }) };
}
