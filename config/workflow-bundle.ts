/**
 * Modules the workflow bundle loads once per worker thread and shares between runs (the SDK's `preloadModules`),
 * for the bundle script and for a worker that bundles at start alike. Every other module is instantiated again for
 * each run the worker loads, which costs the run the module's evaluation and any table the module builds lazily.
 *
 * Only modules that hold nothing per run belong here: the SDK freezes them, and anything they keep is seen by every
 * run. The token verifier qualifies, with what it imports (noble's Ed25519 and SHA-512, base64url): its one lazy
 * state is noble's multiplication table for the base point, a constant, so sharing it changes how fast a run
 * verifies a signature (about 35 ms of CPU to build the table, in every run without this), never what it decides.
 * The verifier is named rather than noble itself: webpack drops a bare `require` of a package that declares
 * `sideEffects: false`, as noble does.
 */
export const WORKFLOW_PRELOAD_MODULES: string[] = [require.resolve('../common/signed-token')];
