import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optionDifferences, resumeOptionsKey } from '../../src/resume/resume-options.js';

test('a resume with another CSV dialect than the checkpoint was written with is named as a difference', () => {
  const saved = resumeOptionsKey({ delimiter: ';', nullStrings: ['NA'] }, 'csv');
  assert.deepEqual(
    optionDifferences(saved, resumeOptionsKey({ delimiter: ';', nullStrings: ['NA'] }, 'csv')),
    [],
  );
  assert.deepEqual(
    optionDifferences(saved, resumeOptionsKey({ delimiter: ',', nullStrings: ['NA'] }, 'csv')),
    ['--delimiter was ";", now ","'],
  );
  assert.deepEqual(optionDifferences(saved, resumeOptionsKey({ delimiter: ';', header: false }, 'csv')), [
    '--no-header was undefined, now false',
    '--null was ["NA"], now undefined',
  ]);
  // A load without dialect options keeps the key a checkpoint of an older sluice has.
  assert.equal(
    resumeOptionsKey({}, 'csv'),
    JSON.stringify({ format: 'csv', columns: '', onError: 'abort', defaults: [] }),
  );
});
