import { type AlibabaErrorCode, AlibabaErrorCodes as E } from '../common/alibaba-error-codes';

export type Product = 'cs' | 'ram';

/** An error the emulated service answers with. Handlers throw it; the server renders it in the product's format. */
export class ApiError extends Error {
  constructor(
    readonly code: AlibabaErrorCode,
    readonly status: number,
    message: string,
    /** Extra body fields, e.g. RAM's AccessDeniedDetail. */
    readonly extra?: Record<string, unknown>,
    /** Extra response headers, e.g. x-acs-retry-after on throttling. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Error body in each product's style. RAM (RPC) is PascalCase with HostId; CS (ROA) uses lower camel case, which the
 * SDK reads as well (it takes `Code || code`, `Message || message`, `RequestId || requestId`).
 */
export function errorBody(product: Product, err: ApiError, requestId: string): Record<string, unknown> {
  if (product === 'ram') {
    return { RequestId: requestId, HostId: 'ram.aliyuncs.com', Code: err.code, Message: err.message, ...err.extra };
  }
  return { code: err.code, message: err.message, requestId, ...err.extra };
}

export const notFoundAction = (what: string): ApiError =>
  new ApiError(E.actionNotFound, 404, `Specified api is not found, please check your url and method. (${what})`);
