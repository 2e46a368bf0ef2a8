import { DomainError, type Violation } from '../shared/errors';

interface Folding<State, Event> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
}

/**
 * given(events).when(decide).then(...): the only way decider tests are written (style.md habit 3). `when` takes the
 * decision as a function of the folded state, so deciders with context (clock, catalog, other streams) read the same.
 */
export function specification<State, Event>(folding: Folding<State, Event>) {
  return {
    given(events: readonly Event[]) {
      const state = events.reduce(folding.evolve, folding.initialState());
      return {
        when(decide: (state: State) => readonly Event[]) {
          let outcome: { events: readonly Event[] } | { error: unknown };
          try {
            outcome = { events: decide(state) };
          } catch (error) {
            outcome = { error };
          }
          return {
            /** The decided events, for assertions on their content. */
            thenEvents(): readonly Event[] {
              if ('error' in outcome) throw outcome.error;
              return outcome.events;
            },
            then(expected: readonly Event[]): void {
              if ('error' in outcome) throw outcome.error;
              expect(outcome.events).toEqual(expected);
            },
            /** The command is refused with `code` (among its violations, at `field` when given) and decides nothing. */
            thenRejects(code: string, field?: string): DomainError {
              if (!('error' in outcome))
                throw new Error(`expected ${code}, but the command decided ${JSON.stringify(outcome.events)}`);
              const error = outcome.error;
              if (!(error instanceof DomainError)) throw error;
              const match = (v: Violation) => v.code === code && (field === undefined || v.field === field);
              if (!error.violations.some(match)) {
                throw new Error(
                  `expected ${code}${field ? ` at ${field}` : ''}, got ${JSON.stringify(error.violations)}`,
                );
              }
              return error;
            },
          };
        },
      };
    },
  };
}
