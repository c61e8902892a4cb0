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
    check: (value) => {
      let checked = value;
      for (const { check } of checks) {
        checked = check(checked);
        if (checked instanceof UnstorableValue) return checked;
      }
      return checked;
    },
    screen: new RegExp(checks.map((c) => c.screen.source).join('|')),
  };
}
