/** Workflows that webpack bundles with a warning (a require of an expression), for workflow-bundle.test.ts. */
export async function loadsByName(name: string): Promise<unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the expression is what makes webpack warn
  return require(name);
}
