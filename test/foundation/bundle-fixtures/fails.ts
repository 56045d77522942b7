/** Workflows that webpack cannot bundle (a module that does not exist), for workflow-bundle.test.ts. */
export async function usesMissing(): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require, so that typecheck lets it through
  return require('./no-such-module');
}
