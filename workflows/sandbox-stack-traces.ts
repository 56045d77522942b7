/**
 * How many frames a stack trace in the workflow sandbox keeps. The Temporal SDK records a stack trace for every
 * promise a run creates (what the Temporal UI's "Call Stack" tab shows on-call: where a run waits), and each capture
 * costs in proportion to its frames: at V8's default of 10 it was the largest single cost of a run in the worker
 * (about 36 ms of CPU of the workflow thread's 83 per leak response). Two of the frames are the SDK's hook itself,
 * which it cuts, so a trace keeps the function that waits and its two callers (`waitFor` ← `awaitApproval` ← …).
 *
 * Preloaded (config/workflow-bundle.ts), never imported: it runs once per worker thread, in the sandbox's own realm,
 * before the SDK freezes the sandbox's globals; errors outside the sandbox (activities, the worker's log) keep node's
 * default.
 */
export const SANDBOX_STACK_TRACE_LIMIT = 5;

Error.stackTraceLimit = SANDBOX_STACK_TRACE_LIMIT;
