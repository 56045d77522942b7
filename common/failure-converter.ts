import { DefaultFailureConverter } from '@temporalio/common';

/**
 * The failure converter of the workflows, the worker and every client (config/codec.ts names this file): a failure's
 * message and stack trace move into an encoded payload, which the payload codec encrypts. A refusal or an Alibaba
 * error message (names, request ids) is then no more readable in Temporal's database than any other payload; the
 * failure's type (`FourEyes`, `StatusForbidden`) stays readable. It runs inside the workflow sandbox, hence common/.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
