/**
 * Issue 12 item 2: the JSON readers are conforming RFC 8259 parsers. Every JSONTestSuite case runs
 * through the value parser (with and without its JSON.parse fast path) and through both readers,
 * wrapped as a field value: `{"v": CASE}` as an NDJSON line and `[{"v": CASE}]` as a JSON array.
 * y_ cases are accepted with the value JSON.parse gives, n_ cases refused with a line, i_ cases as
 * decided below.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { SluiceError } from '../../src/errors.js';
import { openJsonArray } from '../../src/sources/json-array-source.js';
import { JsonSyntaxError, parseJson, parseJsonExact } from '../../src/sources/json-value.js';
import { openNdjson } from '../../src/sources/ndjson-source.js';
import type { BadRecord, ObjectSource } from '../../src/sources/source.js';
import { InvalidUtf8, Utf8Decoder } from '../../src/util/utf8.js';
import { JsonNumber } from '../../src/util/json-number.js';
import { JSON_TEST_SUITE } from '../support/json-test-suite.js';

/**
 * sluice's i_ decisions. Numbers beyond a double are accepted and kept exact (a JsonNumber with the
 * literal: numeric, DECIMAL and text columns store it, float columns refuse it). Lone surrogates
 * and bytes that are not UTF-8 are refused: no database stores them. 500 nested arrays are fine
 * (the parser keeps its own stack), and a byte-order mark opening the input is ignored (RFC 8259
 * 8.1 allows that), though not one inside the text.
 */
const IMPLEMENTATION_DEFINED: Record<string, 'accept' | 'refuse'> = {
  i_number_double_huge_neg_exp: 'accept',
  i_number_huge_exp: 'accept',
  i_number_neg_int_huge_exp: 'accept',
  i_number_pos_double_huge_exp: 'accept',
  i_number_real_neg_overflow: 'accept',
  i_number_real_pos_overflow: 'accept',
  i_number_real_underflow: 'accept',
  i_number_too_big_neg_int: 'accept',
  i_number_too_big_pos_int: 'accept',
  i_number_very_big_negative_int: 'accept',
  i_object_key_lone_2nd_surrogate: 'refuse',
  i_string_1st_surrogate_but_2nd_missing: 'refuse',
  i_string_1st_valid_surrogate_2nd_invalid: 'refuse',
  'i_string_UTF-16LE_with_BOM': 'refuse',
  'i_string_UTF-8_invalid_sequence': 'refuse',
  'i_string_UTF8_surrogate_U+D800': 'refuse',
  i_string_incomplete_surrogate_and_escape_valid: 'refuse',
  i_string_incomplete_surrogate_pair: 'refuse',
  i_string_incomplete_surrogates_escape_valid: 'refuse',
  i_string_invalid_lonely_surrogate: 'refuse',
  i_string_invalid_surrogate: 'refuse',
  'i_string_invalid_utf-8': 'refuse',
  'i_string_inverted_surrogates_U+1D11E': 'refuse',
  i_string_iso_latin_1: 'refuse',
  i_string_lone_second_surrogate: 'refuse',
  i_string_lone_utf8_continuation_byte: 'refuse',
  i_string_not_in_unicode_range: 'refuse',
  i_string_overlong_sequence_2_bytes: 'refuse',
  i_string_overlong_sequence_6_bytes: 'refuse',
  i_string_overlong_sequence_6_bytes_null: 'refuse',
  'i_string_truncated-utf-8': 'refuse',
  i_string_utf16BE_no_BOM: 'refuse',
  i_string_utf16LE_no_BOM: 'refuse',
  i_structure_500_nested_arrays: 'accept',
  'i_structure_UTF-8_BOM_empty_object': 'accept',
};

/**
 * The values of the accepted i_ number cases: exact, never Infinity, 0 or a rounded double; and of
 * the y_ cases holding an integer past 2^53, which keep their literal (a JS number that large is
 * refused by integer and numeric columns).
 */
const EXACT_NUMBERS: Record<string, unknown> = {
  y_number: [new JsonNumber('123e65')],
  y_number_real_capital_e: [new JsonNumber('1E22')],
  y_number_real_exponent: [new JsonNumber('123e45')],
  y_number_real_fraction_exponent: [new JsonNumber('123.456e78')],
  y_object_extreme_numbers: { min: new JsonNumber('-1.0e+28'), max: new JsonNumber('1.0e+28') },
  i_number_double_huge_neg_exp: [new JsonNumber('123.456e-789')],
  i_number_neg_int_huge_exp: [new JsonNumber('-1e+9999')],
  i_number_pos_double_huge_exp: [new JsonNumber('1.5e+9999')],
  i_number_real_neg_overflow: [new JsonNumber('-123123e100000')],
  i_number_real_pos_overflow: [new JsonNumber('123123e100000')],
  i_number_real_underflow: [new JsonNumber('123e-10000000')],
  i_number_too_big_neg_int: [new JsonNumber('-123123123123123123123123123123')],
  // 1e20 is a double exactly, but an integer past 2^53: its literal is kept.
  i_number_too_big_pos_int: [new JsonNumber('100000000000000000000')],
  i_number_very_big_negative_int: [new JsonNumber('-237462374673276894279832749832423479823246327846')],
};

type Verdict = { accepted: true; value: unknown } | { accepted: false; line: number | undefined };

function bytesOf(bytes: string | Buffer): Buffer {
  return typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
}

function expectation(name: string, text: string | undefined): { accept: boolean; value?: unknown } {
  if (name.startsWith('y_'))
    return { accept: true, value: EXACT_NUMBERS[name] ?? JSON.parse(text!.replace(/^\uFEFF/, '')) };
  if (name.startsWith('n_')) return { accept: false };
  const decision = IMPLEMENTATION_DEFINED[name];
  assert.ok(decision, `no decision for ${name}`);
  if (decision === 'refuse') return { accept: false };
  const huge = name === 'i_number_huge_exp' ? [new JsonNumber(text!.slice(1, -1))] : undefined;
  return { accept: true, value: EXACT_NUMBERS[name] ?? huge ?? JSON.parse(text!.replace(/^\uFEFF/, '')) };
}

/** The case's bytes as the readers decode them, or undefined when they are not UTF-8. */
function decoded(bytes: Buffer): string | undefined {
  const decoder = new Utf8Decoder();
  try {
    const text = decoder.decode(bytes) + decoder.end();
    // A byte-order mark opening the input is dropped, as the sources do (byte-chunks.ts).
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (error) {
    if (error instanceof InvalidUtf8) return undefined;
    throw error;
  }
}

async function readAll(source: ObjectSource, bad: BadRecord[]): Promise<Verdict> {
  const records: Record<string, unknown>[] = [];
  try {
    for await (const batch of source.batches()) records.push(...batch.records);
  } catch (error) {
    assert.ok(error instanceof SluiceError, `unexpected ${String(error)}`);
    return { accepted: false, line: error.location?.line };
  }
  if (bad.length > 0) return { accepted: false, line: bad[0]!.line };
  assert.equal(records.length, 1);
  return { accepted: true, value: records[0]!.v };
}

function ndjson(bytes: Buffer): Promise<Verdict> {
  const bad: BadRecord[] = [];
  const source = openNdjson(Readable.from([bytes]), { name: 'case.ndjson', onBadRecord: (b) => bad.push(b) });
  return readAll(source, bad);
}

/** The bytes in pieces of `size` (multi-byte characters, tokens and escapes cut at every place). */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function jsonArray(bytes: Buffer, size = bytes.length): Promise<Verdict> {
  const bad: BadRecord[] = [];
  const source = openJsonArray(Readable.from(pieces(bytes, Math.max(size, 1))), {
    name: 'case.json',
    onBadRecord: (b) => bad.push(b),
  });
  return readAll(source, bad);
}

/**
 * A case that is itself an array, read as the JSON array file: elements that are not objects are
 * bad records of their own, so only the grammar is judged here (a fatal error or an element
 * that is not valid JSON means refused).
 */
async function arrayFileGrammar(bytes: Buffer, size: number): Promise<boolean> {
  const bad: BadRecord[] = [];
  const source = openJsonArray(Readable.from(pieces(bytes, size)), {
    name: 'case.json',
    onBadRecord: (b) => bad.push(b),
  });
  try {
    for await (const batch of source.batches()) void batch;
  } catch (error) {
    assert.ok(error instanceof SluiceError, `unexpected ${String(error)}`);
    assert.ok((error.location?.line ?? 0) >= 1, 'the error names no line');
    return false;
  }
  return !bad.some((b) => b.reason.startsWith('invalid JSON'));
}

function check(verdict: Verdict, want: { accept: boolean; value?: unknown }, what: string): void {
  if (want.accept) {
    assert.ok(verdict.accepted, `${what}: refused a valid text`);
    assert.deepEqual(verdict.value, want.value, what);
  } else {
    assert.ok(
      !verdict.accepted,
      `${what}: accepted ${JSON.stringify(verdict.accepted && String(verdict.value))}`,
    );
    assert.ok(verdict.line !== undefined && verdict.line >= 1, `${what}: the error names no line`);
  }
}

const FIELD_PREFIX = Buffer.from('{"v": ');

describe('JSON readers conform to RFC 8259 (JSONTestSuite, issue 12 item 2)', () => {
  it('has every case of the suite', () => {
    assert.equal(JSON_TEST_SUITE.length, 318);
    const iCases = JSON_TEST_SUITE.filter(([name]) => name.startsWith('i_')).map(([name]) => name);
    assert.deepEqual(iCases.sort(), Object.keys(IMPLEMENTATION_DEFINED).sort());
  });

  for (const [name, raw] of JSON_TEST_SUITE) {
    it(name, async () => {
      const bytes = bytesOf(raw);
      const text = decoded(bytes);
      const want = expectation(name, text);

      // The value parser on the whole text (a byte-order mark opening it is dropped by decoding).
      for (const [parse, label] of [
        [parseJson, 'parseJson'],
        [parseJsonExact, 'exact parser'],
      ] as const) {
        let verdict: Verdict;
        if (text === undefined) verdict = { accepted: false, line: 1 };
        else {
          try {
            verdict = { accepted: true, value: parse(text) };
          } catch (error) {
            assert.ok(error instanceof JsonSyntaxError, `${label}: ${String(error)}`);
            verdict = { accepted: false, line: 1 };
          }
        }
        check(verdict, want, label);
      }
      if (name.startsWith('y_') || name.startsWith('n_')) {
        let native = true;
        try {
          JSON.parse(text ?? '\0');
        } catch {
          native = false;
        }
        // JSON.parse (the fast path's reader) agrees with the RFC on every y_ and n_ case.
        assert.equal(native, want.accept, 'JSON.parse');
      }

      // Inside a record: a byte-order mark is then in the middle of the text, which is an error.
      const wrapped = name === 'i_structure_UTF-8_BOM_empty_object' ? { accept: false } : want;
      // NDJSON cannot carry a line feed inside a record; in a valid text it is only whitespace.
      const line = want.accept ? Buffer.from(bytes.toString('utf8').replaceAll('\n', ' ')) : bytes;
      check(await ndjson(Buffer.concat([FIELD_PREFIX, line, Buffer.from('}\n')])), wrapped, 'NDJSON');
      const file = Buffer.concat([Buffer.from('[\n'), FIELD_PREFIX, bytes, Buffer.from('}\n]\n')]);
      check(await jsonArray(file), wrapped, 'JSON array');
      // Streaming: the same file in 3-byte chunks gives the same verdict.
      if (file.length < 10_000) check(await jsonArray(file, 3), wrapped, 'JSON array, 3-byte chunks');

      // A case that is an array is also read as the array file itself.
      if (text !== undefined && /^\uFEFF?[ \t\r\n]*\[/.test(text)) {
        for (const size of file.length < 10_000 ? [bytes.length, 1] : [bytes.length]) {
          assert.equal(await arrayFileGrammar(bytes, size), want.accept, `array file, ${size}-byte chunks`);
        }
      }
    });
  }
});
