import type { AlibabaErrorCode } from '../common/alibaba-error-codes';

/**
 * An error the emulated service answers with. The gateway's checks and the operations throw it; the gateway renders
 * it in the product's error format (gateway/render.ts).
 */
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
