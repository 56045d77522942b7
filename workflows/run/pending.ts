/**
 * One slot for a decision that has arrived and that the story has not acted on yet. A message handler puts it; the
 * story waits until the slot `has` one and `take`s it, which also clears it, so nothing outside resets a decision.
 * A second put before the take replaces the first: the story acts on the latest.
 */
export class Pending<T> {
  // Boxed, so that a slot holding a value that is itself `undefined` still counts as holding one.
  private slot?: { value: T };

  put(value: T): void {
    this.slot = { value };
  }

  has(): boolean {
    return this.slot !== undefined;
  }

  /** The pending decision, clearing the slot; undefined when none arrived. */
  take(): T | undefined {
    const slot = this.slot;
    this.slot = undefined;
    return slot?.value;
  }
}
