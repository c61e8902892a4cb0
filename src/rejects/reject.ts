/** A row that did not load, with where it came from and why. */
export interface Reject {
  /** Source line (text inputs) or row number (JS inputs) the record starts on. */
  readonly line: number;
  /** BAD_INPUT for records the parser refused; otherwise the database's code (SQLSTATE, errno …). */
  readonly code: string;
  readonly reason: string;
  /** The record as read (CSV: the line; JSON: the object), to fix and load again. */
  readonly record: string;
}

export type RejectHandler = (reject: Reject) => void;
