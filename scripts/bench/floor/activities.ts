/** The floor's one activity (local or not): no work, so that what a step costs is Temporal's alone. */
export async function floorStep(step: number): Promise<number> {
  return step;
}
