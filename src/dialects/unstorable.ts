/**
 * A value that cannot be sent as it is, put in the row in place of the value by a conversion
 * that found the problem (a lone surrogate, a number a float column would round). Each dialect's
 * value path refuses it with `reason` when it encodes or binds the row, so the row is blamed by
 * the usual means (COPY's row, bisection) and skip mode rejects just that row.
 */
export class UnstorableValue {
  constructor(
    readonly reason: string,
    /** The value as the source gave it, for the rejects file (where the check kept it). */
    readonly original?: unknown,
  ) {}
}

/** The same words on every database (PostgreSQL, MySQL, SQLite). */
export const LONE_SURROGATE = 'the text holds a lone UTF-16 surrogate, which has no UTF-8 form';

/** String.prototype.isWellFormed (Node 20; typed from ES2024 on). */
export function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
