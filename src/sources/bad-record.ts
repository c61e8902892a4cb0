import { SluiceError } from '../errors.js';
import type { BadRecord, BadRecordHandler } from './source.js';

/** The default handler: a bad record aborts the load with its location. */
export function abortOnBadRecord(source: string, unit: 'line' | 'row' = 'line'): BadRecordHandler {
  return (bad: BadRecord) => {
    throw new SluiceError('BAD_INPUT', bad.reason, {
      location: { source, line: bad.line, column: bad.column, unit },
    });
  };
}
