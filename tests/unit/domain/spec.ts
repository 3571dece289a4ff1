import { expect } from 'vitest';
import { DomainError, type Decider, type DomainErrorKind } from '../../../domain/index.js';

/**
 * Decider specifications: given these events, when this command, then these events (or this refusal).
 *   const spec = specFor(threadDecider);
 *   spec.given([raised]).when(resolveCommand).then([resolved]);
 */
export function specFor<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = (): State => events.reduce(decider.evolve, decider.initialState);
      return {
        /** The state those events fold into. */
        state,
        when(command: Command) {
          const decide = () => decider.decide(command, state());
          return {
            then(expected: Event[]): void {
              expect(decide()).toEqual(expected);
            },
            thenNothingHappens(): void {
              expect(decide()).toEqual([]);
            },
            /** Returns the error for further checks (its message, details). */
            thenThrows(kind: DomainErrorKind, code: string): DomainError {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              if (!(thrown instanceof DomainError)) {
                throw new Error(`expected a DomainError ${kind}/${code}, got ${String(thrown)}`);
              }
              expect({ kind: thrown.kind, code: thrown.code }).toEqual({ kind, code });
              return thrown;
            },
          };
        },
      };
    },
  };
}

/** The DomainError `run` throws (parsing a command at the edge, say); fails the test when it throws none. */
export function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, got none');
}
