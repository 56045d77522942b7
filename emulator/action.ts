import type { TaskFailureState, TaskState, UserState, WorldState } from './state/world';

/**
 * The contract between the gateway and the products: an operation is an ActionDef whose `run` gets the call's context
 * and parameters, changes the world, and returns the success body or throws an ApiError.
 */

/** `ims`: IMS 2019-08-15, RAM's newer API (its recycle bin); authorized as RAM actions (`ram:<Action>`). */
export type Product = 'cs' | 'ram' | 'sts' | 'ims';

/** Who signed the request. Only account (root) keys and RAM user keys exist here; no STS tokens (role sessions). */
export type Caller =
  | { kind: 'root'; accessKeyId: string; /** The account id. */ uid: string; identity: 'root' }
  | { kind: 'user'; accessKeyId: string; /** The RAM user id. */ uid: string; identity: string; user: UserState };

export interface CallContext {
  /** The world with every due clean task landed. */
  world: WorldState;
  caller: Caller;
  now: number;
  requestId: string;
  /** Delay before a clean task created now lands. */
  taskDelayMs: number;
  /** A task-ending fault fired (`task-fail`, `task-timeout`, `task-canceled`): the task this call creates ends so. */
  endTaskAs: TaskFailureState | undefined;
  /** Hands a clean task just added to `world.tasks` to the gateway, which lands it when its time comes. */
  startTask(task: TaskState): void;
}

export interface ActionRequest {
  /** Path parameters (CS) — RAM has none. */
  path: Record<string, string>;
  /** Decoded query values as sent; typed values are read through param-types.ts. */
  query: Record<string, string>;
  body: unknown;
}

/**
 * What a caller must hold (gateway/authorize.ts): CS or RAM read/write, both CS full and RAM read, or nothing beyond
 * a valid key — `self` (the operation acts on the caller's own resources; an explicit deny still applies) or
 * `anyone` (no authorization at all, as STS GetCallerIdentity documents: not even an explicit deny stops it).
 */
export type Need = 'cs-full' | 'cs-read' | 'cs-full+ram-read' | 'self' | 'anyone' | 'ram-read' | 'ram-write';

export interface ActionDef {
  product: Product;
  name: string;
  need: Need;
  run(ctx: CallContext, req: ActionRequest): unknown;
}

/** A CS operation: ROA style, routed by method and path. */
export interface RoutedActionDef extends ActionDef {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  path: string;
}
