import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseColumnMap } from '../../src/rows/column-map.js';
import { SluiceError } from '../../src/errors.js';

describe('parseColumnMap', () => {
  it('reads src=dst pairs', () => {
    assert.deepEqual(
      [...parseColumnMap('Name=name, E-mail=email')],
      [
        ['Name', 'name'],
        ['E-mail', 'email'],
      ],
    );
    assert.deepEqual([...parseColumnMap({ a: 'b' })], [['a', 'b']]);
  });
  it('refuses malformed pairs', () => {
    assert.throws(() => parseColumnMap('a'), SluiceError);
    assert.throws(() => parseColumnMap('=b'), SluiceError);
  });
});
