import * as bestilling from './bestilling/bestilling.decider';
import * as delmaal from './delmaal/delmaal.decider';
import * as pligt from './tilbagemeldingspligt/pligt.decider';
import { tilBestillingEvent, tilDelmaalEvent, tilPligtEvent } from './upcasting';

/**
 * How each aggregate's stream folds into its state, stored events upcast on the way: the event store's `Folding`
 * (structurally; the domain does not depend on the store), shared by the hub's write path and the test writers.
 */
export const bestillingFolding = {
  initialState: bestilling.initialState,
  evolve: bestilling.evolve,
  fromRecorded: tilBestillingEvent,
} as const;

export const delmaalFolding = {
  initialState: delmaal.initialState,
  evolve: delmaal.evolve,
  fromRecorded: tilDelmaalEvent,
} as const;

export const pligtFolding = {
  initialState: pligt.initialState,
  evolve: pligt.evolve,
  fromRecorded: tilPligtEvent,
} as const;
