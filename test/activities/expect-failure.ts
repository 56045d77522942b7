import { ApplicationFailure } from '@temporalio/common';

/** Awaits an activity call that must fail, and returns the ApplicationFailure it threw (the test fails otherwise). */
export async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}
