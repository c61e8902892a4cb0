/**
 * The protocol messages sluice writes itself, against bytes built by hand from the PostgreSQL
 * documentation ("Message Formats"): type byte, Int32 length counting itself, then the body.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COPY_DONE,
  MessageWriter,
  copyDataHeader,
  copyFail,
} from '../../src/dialects/postgres/frontend-messages.js';

function message(type: string, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(content.length + 4, 1);
  return Buffer.concat([header, content]);
}
const cstring = (s: string): Buffer => Buffer.from(s + '\0', 'utf8');
const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('frontend messages', () => {
  it('Parse: unnamed statement, the SQL, no parameter types', () => {
    const sql = 'INSERT INTO "t" ("a") VALUES ($1)';
    assert.deepEqual(
      new MessageWriter().parse(sql).take(),
      message('P', cstring(''), cstring(sql), int16(0)),
    );
  });

  it('Bind: unnamed portal and statement, text parameters, NULL as length -1, UTF-8 lengths in bytes', () => {
    const values = ['a', null, '', 'ü😀', 'x'.repeat(70_000)];
    const expected = message(
      'B',
      cstring(''),
      cstring(''),
      int16(0),
      int16(values.length),
      int32(1),
      Buffer.from('a'),
      int32(-1),
      int32(0),
      int32(6),
      Buffer.from('ü😀'),
      int32(70_000),
      Buffer.from('x'.repeat(70_000)),
      int16(0),
    );
    assert.deepEqual(new MessageWriter(16).bind(values).take(), expected);
  });

  it('Bind refuses more parameters than its 16-bit count can hold', () => {
    const writer = new MessageWriter();
    assert.doesNotThrow(() => writer.bind(new Array<null>(65535).fill(null)));
    assert.throws(() => writer.bind(new Array<null>(65536).fill(null)), /at most 65535/);
  });

  it('Execute (all rows of the unnamed portal) and Sync', () => {
    assert.deepEqual(
      new MessageWriter().execute().sync().take(),
      Buffer.concat([message('E', cstring(''), int32(0)), message('S')]),
    );
  });

  it('many messages go into one buffer, in order, and take() starts over', () => {
    const writer = new MessageWriter(8);
    writer.parse('SELECT $1').bind(['1']).execute().bind(['2']).execute().sync();
    const expected = Buffer.concat([
      message('P', cstring(''), cstring('SELECT $1'), int16(0)),
      message('B', cstring(''), cstring(''), int16(0), int16(1), int32(1), Buffer.from('1'), int16(0)),
      message('E', cstring(''), int32(0)),
      message('B', cstring(''), cstring(''), int16(0), int16(1), int32(1), Buffer.from('2'), int16(0)),
      message('E', cstring(''), int32(0)),
      message('S'),
    ]);
    assert.equal(writer.length, expected.length);
    assert.deepEqual(writer.take(), expected);
    assert.equal(writer.length, 0);
    assert.deepEqual(writer.sync().take(), message('S'));
  });

  it('CopyData header, CopyDone and CopyFail', () => {
    assert.deepEqual(copyDataHeader(3), message('d', Buffer.from('abc')).subarray(0, 5));
    assert.deepEqual(COPY_DONE, message('c'));
    assert.deepEqual(copyFail('source failed'), message('f', cstring('source failed')));
    // A NUL would end the reason early and leave bytes the server reads as the next message.
    assert.deepEqual(copyFail('a\0b'), message('f', cstring('a b')));
  });
});
