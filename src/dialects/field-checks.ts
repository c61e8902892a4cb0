import { UnstorableValue } from './unstorable.js';

/** A value check with the screen every value it refuses matches (FieldCheck). */
export interface ScreenedCheck {
  readonly check: (value: unknown) => unknown;
  readonly screen: RegExp;
}

/** Several checks of one column as one: the first refusal wins; its screen matches any of theirs. */
export function allChecks(checks: readonly ScreenedCheck[]): ScreenedCheck {
  if (checks.length === 1) return checks[0]!;
  return {
    check: inTurn(...checks.map((c) => c.check)),
    screen: new RegExp(checks.map((c) => c.screen.source).join('|')),
  };
}

/**
 * Conversions and checks of one value in turn, each given what the one before returned; the first
 * UnstorableValue (a refusal) is the result.
 */
export function inTurn(...steps: readonly ((value: unknown) => unknown)[]): (value: unknown) => unknown {
  if (steps.length === 1) return steps[0]!;
  return (value) => {
    let result = value;
    for (const step of steps) {
      result = step(result);
      if (result instanceof UnstorableValue) return result;
    }
    return result;
  };
}
