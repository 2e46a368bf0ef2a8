/**
 * The hub's clock: real time, or for development and demos a simulated one that starts at HUB_CLOCK_START when the
 * hub boots and runs HUB_CLOCK_SPEED simulated seconds per real second. The command service (occurredAt, what counts
 * as "in the future"), the event store (recordedAt), the rules worker (when deadlines fall due) and the read models'
 * "today" all read this one clock, so the rules' safety horizon compares like with like.
 */
export interface SimuleretUr {
  /** Where the simulated clock starts when the hub boots. */
  readonly start: Date;
  /** Simulated seconds per real second. */
  readonly speed: number;
}

export type HubClock = (() => Date) & { readonly simuleret?: SimuleretUr };

export const CLOCK = Symbol('CLOCK');

/** A clock per `ur`: undefined is real time; otherwise time runs from `ur.start` at `ur.speed` from this call on. */
export function hubClock(ur: SimuleretUr | undefined, realNow: () => number = Date.now): HubClock {
  if (ur === undefined) return () => new Date(realNow());
  const origin = realNow();
  const start = ur.start.getTime();
  return Object.assign(() => new Date(start + Math.floor((realNow() - origin) * ur.speed)), { simuleret: ur });
}
