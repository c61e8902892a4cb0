/** A record the source could not make sense of (wrong field count, broken quoting, bad JSON). */
export interface BadRecord {
  readonly line: number;
  readonly reason: string;
  /** The record's raw text, as far as it could be delimited. */
  readonly raw: string;
  readonly column?: number;
}

/** Decides what happens to a bad record: throw to abort, return to skip it. */
export type BadRecordHandler = (bad: BadRecord) => void;
