/**
 * Issue 12 items 1, 3 and 5 without a database: which JSON number literals a double holds, the
 * JSON writer that keeps the others exact, the inferred types for them, the per-column
 * conversions (JSON columns, float columns, MySQL's binary JSON) and PostgreSQL array literals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floatColumnConverter, toJsonColumn } from '../../src/dialects/column-values.js';
import { UnstorableValue } from '../../src/dialects/unstorable.js';
import { mysqlValueConverter, toBinaryJsonColumn } from '../../src/dialects/mysql/mysql-values.js';
import { jsonElement, pgArrayLiteral } from '../../src/dialects/postgres/pg-array.js';
import { pgText } from '../../src/dialects/postgres/pg-text.js';
import { postgresValueConverter } from '../../src/dialects/postgres/postgres-values.js';
import { affinityOf } from '../../src/dialects/sqlite/sqlite-affinity.js';
import { sqliteValueConverter, toSqliteValue } from '../../src/dialects/sqlite/sqlite-values.js';
import { inferType, typeOfText } from '../../src/rows/infer-types.js';
import { mayNeedExactParser, parseJson, parseJsonExact } from '../../src/sources/json-value.js';
import { JsonNumber, decimalPlaces, int64Of, numberFromLiteral } from '../../src/util/json-number.js';
import { jsonText } from '../../src/util/json-text.js';

const column = (type: string) => ({ name: 'c', type, nullable: true, hasDefault: false });

describe('issue 12 item 1: JSON number literals', () => {
  it('stay plain numbers when the double is the same decimal value', () => {
    for (const [literal, value] of [
      ['0', 0],
      ['-0', -0],
      ['1.0', 1],
      ['1e2', 100],
      ['0.1', 0.1],
      ['0.30000000000000004', 0.30000000000000004],
      ['9007199254740991', 9007199254740991],
      ['-9007199254740991', -9007199254740991],
      ['5e-324', 5e-324],
      ['1.5e-7', 1.5e-7],
      ['0e-10000000', 0],
    ] as const) {
      assert.equal(Object.is(numberFromLiteral(literal), value), true, literal);
    }
  });

  it('become a JsonNumber with the literal when the double would change them', () => {
    for (const literal of [
      '-123123123123123123123123123123',
      '9007199254740993',
      '1.5e+9999',
      '-1e+9999',
      '123e-10000000',
      '0.1000000000000000000001',
      '3e-324',
      '1.7976931348623159e308',
      '0.4e00669999999999999999999999999999999999999',
    ]) {
      assert.deepEqual(numberFromLiteral(literal), new JsonNumber(literal), literal);
    }
  });

  it('keep the literal of every integer past 2^53, even one a double prints the same', () => {
    // 1152921504606847000 is String(2 ** 60), but the double holds 1152921504606846976.
    for (const literal of [
      '9007199254740992',
      '-9007199254740992',
      '1152921504606847000',
      '1E22',
      '123e65',
      '1.7976931348623157e308',
      '100000000000000000000',
    ]) {
      assert.deepEqual(numberFromLiteral(literal), new JsonNumber(literal), literal);
    }
    assert.deepEqual(parseJson('{"b":1152921504606847000,"c":[9007199254740992]}'), {
      b: new JsonNumber('1152921504606847000'),
      c: [new JsonNumber('9007199254740992')],
    });
    // Float columns take the double whose shortest text is the literal; --create makes them exact.
    const double = floatColumnConverter('double precision');
    assert.equal(double(new JsonNumber('1152921504606847000')), 2 ** 60);
    assert.equal(double(new JsonNumber('1E22')), 1e22);
    assert.equal(inferType([new JsonNumber('1E22'), 1]), 'decimal');
    assert.equal(inferType([new JsonNumber('1152921504606847000')]), 'integer');
    assert.equal(toBinaryJsonColumn([new JsonNumber('1E22')]), '[1E22]');
  });

  it('knows the 64-bit integers among them and the digits they need', () => {
    assert.equal(int64Of('9007199254740993'), 9007199254740993n);
    assert.equal(int64Of('-9223372036854775808'), -(2n ** 63n));
    assert.equal(int64Of('9223372036854775808'), undefined);
    assert.equal(int64Of('1.5e3'), 1500n);
    assert.equal(int64Of('1.5'), undefined);
    assert.equal(int64Of('1e400'), undefined);
    assert.deepEqual(decimalPlaces('-123123123123123123123123123123'), { integer: 30, fraction: 0 });
    assert.deepEqual(decimalPlaces('0.1000000000000000000001'), { integer: 0, fraction: 22 });
    assert.deepEqual(decimalPlaces('12.50e1'), { integer: 3, fraction: 0 });
  });

  it('the parser keeps them exact at any depth', () => {
    assert.deepEqual(parseJson('{"a": [1, 9007199254740993, {"b": 1.5e+9999}], "c": 0.5}'), {
      a: [1, new JsonNumber('9007199254740993'), { b: new JsonNumber('1.5e+9999') }],
      c: 0.5,
    });
  });

  it('the fast path never misses a number the exact parser would keep (random records)', () => {
    let seed = 12;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const digits = (n: number): string => Array.from({ length: n }, () => String(random(10))).join('');
    const number = (): string => {
      const sign = random(3) === 0 ? '-' : '';
      const int = random(4) === 0 ? '0' : String(1 + random(9)) + digits(random(22));
      const fraction = random(2) === 0 ? '' : '.' + digits(1 + random(22));
      const exponent =
        random(4) === 0 ? ['e', 'E'][random(2)]! + ['', '+', '-'][random(3)]! + digits(1 + random(3)) : '';
      return sign + int + fraction + exponent;
    };
    const space = (): string => [' ', '', '\t', '\r\n', ''][random(5)]!;
    const value = (depth: number): string => {
      const kind = random(depth > 2 ? 3 : 6);
      if (kind === 0) return number();
      if (kind === 1) return JSON.stringify(`t:${number()},"x":${digits(random(20))}`);
      if (kind === 2) return ['true', 'null', '"a:1e5"'][random(3)]!;
      if (kind === 3) return `[${space()}${value(depth + 1)},${space()}${number()}]`;
      return `{${space()}"k${random(9)}"${space()}:${space()}${value(depth + 1)}${space()}}`;
    };
    let exact = 0;
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const fields = Array.from({ length: 1 + random(5) }, (_, f) => `"f${f}":${space()}${value(0)}`);
      const text = `{${fields.join(`,${space()}`)}}`;
      const want = parseJsonExact(text);
      assert.deepEqual(parseJson(text), want, text);
      if (!mayNeedExactParser(text)) assert.deepEqual(JSON.parse(text), want, text);
      if (jsonText(want) !== JSON.stringify(JSON.parse(text))) exact++;
      else if (!mayNeedExactParser(text)) fast++;
    }
    // Both kinds occur: records whose numbers only the exact parser keeps, and fast-path ones.
    assert.ok(exact > 100 && fast > 1000, `${exact} exact, ${fast} fast`);
  });

  it('jsonText writes the literals and bigints exactly, and otherwise what JSON.stringify writes', () => {
    const date = new Date(0);
    const plain: unknown[] = [
      { a: 1, b: 'x"\\\n', c: [null, true, undefined, () => 1], d: undefined, e: date, f: Buffer.from('ab') },
      [new Number(3), new String('s'), Object(false), NaN, -Infinity, -0],
      'lone \uD800',
      { toJSON: (key: string) => `key:${key}` },
    ];
    for (const value of plain) {
      // The same text once an exact number forces the hand-written path.
      assert.equal(jsonText([value, 1n]), JSON.stringify([value, 1]));
      assert.equal(jsonText(value), JSON.stringify(value));
    }
    assert.equal(
      jsonText({ n: new JsonNumber('-123123123123123123123123123123'), b: [2n ** 70n], s: '1' }),
      '{"n":-123123123123123123123123123123,"b":[1180591620717411303424],"s":"1"}',
    );
    assert.equal(jsonText(undefined), undefined);
    const cycle: Record<string, unknown> = { n: 1n };
    cycle.self = cycle;
    assert.throws(() => jsonText(cycle), /circular/);
    // JSON.stringify refuses a JsonNumber rather than writing {"literal": …}.
    assert.throws(() => JSON.stringify(new JsonNumber('1e400')), /jsonText/);
  });

  it('infers decimal for them, bigint for 64-bit integers, text beyond DECIMAL(65,30)', () => {
    assert.equal(inferType([new JsonNumber('-123123123123123123123123123123'), 1.5]), 'decimal');
    assert.equal(inferType([new JsonNumber('0.1000000000000000000001'), 7]), 'decimal');
    assert.equal(inferType([new JsonNumber('9007199254740993'), 1]), 'integer');
    assert.equal(inferType([2n ** 63n]), 'decimal');
    assert.equal(inferType([-(2n ** 63n)]), 'integer');
    assert.equal(inferType([new JsonNumber('1.5e+9999')]), 'text');
    assert.equal(inferType([new JsonNumber('123e-10000000')]), 'text');
    assert.equal(inferType([new JsonNumber('0.1000000000000000000001'), 1e300]), 'text');
    assert.equal(inferType([new JsonNumber('1' + '0'.repeat(35))]), 'text');
    assert.equal(inferType([new JsonNumber('9' + '0'.repeat(34) + '.5')]), 'decimal');
    // CSV text is different: a real whose double would differ stays text (text-types.ts), since
    // MySQL's DECIMAL(65,30) would read it back with other digits than the file's.
    assert.equal(typeOfText('0.1000000000000000000001'), 'text');
    assert.equal(typeOfText('1.50'), 'real');
    assert.equal(typeOfText('1e999'), 'text');
    assert.equal(inferType(['1e999']), 'text');
    assert.equal(inferType(['1', '0.1000000000000000000001']), 'text');
  });
});

describe('issue 12 items 1 and 3: conversions by column type', () => {
  it('a JSON column gets JSON text for every value, SQL NULL for null', () => {
    assert.equal(toJsonColumn('1'), '"1"');
    assert.equal(toJsonColumn('2020-01-01'), '"2020-01-01"');
    assert.equal(toJsonColumn(1), '1');
    assert.equal(toJsonColumn([1, 'a']), '[1,"a"]');
    assert.equal(toJsonColumn(new JsonNumber('1.5e+9999')), '1.5e+9999');
    assert.equal(toJsonColumn(null), null);
    assert.ok(toJsonColumn(Symbol('s')) instanceof UnstorableValue);
    for (const type of ['json', 'jsonb']) assert.equal(postgresValueConverter(column(type))!('abc'), '"abc"');
    assert.equal(mysqlValueConverter(column('json'), true)!('abc'), '"abc"');
    assert.equal(sqliteValueConverter(column('JSON'))!('abc'), '"abc"');
    // Other columns: no conversion at all, so they cost nothing per value (date and the time types
    // have theirs: second-fraction.ts, postgres/dropped-time-parts.ts, two-digit-year.ts).
    for (const type of ['text', 'interval'])
      assert.equal(postgresValueConverter(column(type)), undefined, type);
    for (const type of ['varchar(20)', 'longtext'])
      assert.equal(mysqlValueConverter(column(type), true), undefined, type);
    for (const type of ['text', 'varchar(10)', 'blob', ''])
      assert.equal(sqliteValueConverter(column(type)), undefined);
  });

  it('a float column refuses a JsonNumber and a bigint a double would change', () => {
    const convert = floatColumnConverter('double precision');
    assert.equal(convert(0.1), 0.1);
    assert.equal(convert(2n ** 53n), 2n ** 53n);
    assert.ok(convert(2n ** 53n + 1n) instanceof UnstorableValue);
    assert.match(
      (convert(new JsonNumber('1.5e+9999')) as UnstorableValue).reason,
      /"1\.5e\+9999" has no exact/,
    );
    assert.ok(
      postgresValueConverter(column('real'))!(new JsonNumber('0.1000000000000000000001')) instanceof
        UnstorableValue,
    );
    assert.ok(
      mysqlValueConverter(column('double unsigned'), true)!(new JsonNumber('9007199254740993')) instanceof
        UnstorableValue,
    );
    assert.ok(
      sqliteValueConverter(column('FLOAT'))!(new JsonNumber('9007199254740993')) instanceof UnstorableValue,
    );
  });

  it('integer and numeric columns refuse NaN, Infinity and JS integers past 2^53 on every database', () => {
    const converters: [string, (value: unknown) => unknown][] = [
      ...['smallint', 'integer', 'bigint', 'numeric', 'numeric(30,2)'].map(
        (t) => [`postgres ${t}`, postgresValueConverter(column(t))!] as [string, (value: unknown) => unknown],
      ),
      ...['bigint(20)', 'int(11) unsigned', 'decimal(30,2)', 'decimal(10,0) unsigned'].map(
        (t) => [`mysql ${t}`, mysqlValueConverter(column(t), true)!] as [string, (value: unknown) => unknown],
      ),
      ...['INTEGER', 'BIGINT', 'NUMERIC', 'DECIMAL(10,2)'].map(
        (t) => [`sqlite ${t}`, sqliteValueConverter(column(t))!] as [string, (value: unknown) => unknown],
      ),
    ];
    for (const [what, convert] of converters) {
      const refused = (value: number): string => {
        const out = convert(value);
        assert.ok(out instanceof UnstorableValue, `${what}: ${String(value)}`);
        return out.reason;
      };
      assert.match(
        refused(2 ** 60),
        /^the number 1152921504606847000 is past Number\.MAX_SAFE_INTEGER: as a JS number it has lost digits \(it holds 1152921504606846976\), so a .+ column would not get the value meant; pass it as a BigInt or a string$/,
      );
      assert.match(refused(-(2 ** 63)), /holds -9223372036854775808/);
      assert.match(refused(Number.MAX_SAFE_INTEGER + 1), /9007199254740992 is past/);
      assert.match(refused(1e300), /is past Number\.MAX_SAFE_INTEGER/);
      for (const value of [NaN, Infinity, -Infinity]) assert.match(refused(value), /column can store/);
      assert.equal(convert(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER, what);
      assert.equal(convert(-Number.MAX_SAFE_INTEGER), -Number.MAX_SAFE_INTEGER, what);
      assert.equal(convert(0), 0, what);
      // BigInts and strings carry their digits: the database judges them.
      assert.equal(convert('1152921504606846976'), '1152921504606846976', what);
    }
    const pgBigint = postgresValueConverter(column('bigint'))!;
    assert.equal(pgBigint(2n ** 60n), 2n ** 60n);
    assert.equal(pgBigint(0.5), 0.5); // the server refuses it for bigint, numeric stores it
    // Arrays of them, element by element.
    assert.match(
      (postgresValueConverter(column('bigint[]'))!([1, 2 ** 60]) as UnstorableValue).reason,
      /^array element: the number 1152921504606847000 is past/,
    );
    assert.equal(postgresValueConverter(column('bigint[]'))!([1, 2n ** 60n]), '{"1","1152921504606846976"}');
    // Float and text columns take every double as it is.
    assert.equal(postgresValueConverter(column('double precision'))!(2 ** 60), 2 ** 60);
    assert.equal(postgresValueConverter(column('text')), undefined);
    // The encoders write a bigint's exact digits.
    assert.equal(pgText(2n ** 60n), '1152921504606846976');
    assert.equal(toSqliteValue(2n ** 60n), 2n ** 60n);
  });

  it('MySQL integer columns refuse fractions (MariaDB rounds them without a warning)', () => {
    const convert = mysqlValueConverter(column('bigint(20) unsigned'), true)!;
    assert.equal(convert(7), 7);
    const big = new JsonNumber('9007199254740993');
    assert.equal(convert(big), big);
    assert.ok(convert(1.5) instanceof UnstorableValue);
    assert.ok(convert(new JsonNumber('0.1000000000000000000001')) instanceof UnstorableValue);
  });

  it("MySQL's binary JSON (not MariaDB's text JSON) refuses a number it would store as a double", () => {
    // Not run against a MySQL 8 server here (none on this machine): the rule, checked as a function.
    assert.equal(toBinaryJsonColumn({ a: [1, 0.5, 'x'] }), '{"a":[1,0.5,"x"]}');
    assert.equal(toBinaryJsonColumn({ id: new JsonNumber('9007199254740993') }), '{"id":9007199254740993}');
    assert.equal(toBinaryJsonColumn([2n ** 64n - 1n]), '[18446744073709551615]');
    assert.ok(toBinaryJsonColumn([2n ** 64n]) instanceof UnstorableValue);
    assert.ok(
      toBinaryJsonColumn({ a: { b: new JsonNumber('0.1000000000000000000001') } }) instanceof UnstorableValue,
    );
    assert.ok(toBinaryJsonColumn(new JsonNumber('9007199254740993.0')) instanceof UnstorableValue);
    assert.equal(mysqlValueConverter(column('json'), false), toBinaryJsonColumn);
  });

  it('SQLite: affinities by its own rules, integers exact, literals as text, lone surrogates refused', () => {
    for (const [type, affinity] of [
      ['INTEGER', 'integer'],
      ['BIGINT', 'integer'],
      ['VARCHAR(10)', 'text'],
      ['CLOB', 'text'],
      ['BLOB', 'blob'],
      ['', 'blob'],
      ['REAL', 'real'],
      ['DOUBLE PRECISION', 'real'],
      ['FLOAT', 'real'],
      ['NUMERIC', 'numeric'],
      ['DECIMAL(10,2)', 'numeric'],
      ['JSON', 'numeric'],
      ['DATETIME', 'numeric'],
    ] as const) {
      assert.equal(affinityOf(type), affinity, type);
    }
    const integer = sqliteValueConverter(column('integer'))!;
    assert.equal(integer(new JsonNumber('9007199254740993')), 9007199254740993n);
    assert.ok(integer(new JsonNumber('-123123123123123123123123123123')) instanceof UnstorableValue);
    assert.ok(integer(2n ** 63n) instanceof UnstorableValue);
    assert.equal(integer(5), 5);
    assert.equal(toSqliteValue(new JsonNumber('1.5e+9999')), '1.5e+9999');
    assert.equal(toSqliteValue(2n ** 70n), '1180591620717411303424');
    assert.equal(toSqliteValue(-(2n ** 63n)), -(2n ** 63n));
    assert.ok(toSqliteValue('a\uD800') instanceof UnstorableValue);
    assert.equal(toSqliteValue('😀'), '😀');
    // Declared JSON has NUMERIC affinity: a bare number must fit what SQLite will make of it.
    const json = sqliteValueConverter(column('JSON'))!;
    assert.equal(json(new JsonNumber('9007199254740993')), '9007199254740993');
    assert.ok(json(new JsonNumber('1.5e+9999')) instanceof UnstorableValue);
    assert.equal(json({ n: new JsonNumber('1.5e+9999') }), '{"n":1.5e+9999}');
  });
});

describe('issue 12 item 5: PostgreSQL array literals', () => {
  it('quotes every element as node-postgres does; NULL, nesting, escapes', () => {
    assert.equal(pgArrayLiteral(['a', 'b,c', 'd"e'], pgText), '{"a","b,c","d\\"e"}');
    assert.equal(
      pgArrayLiteral(['', 'NULL', null, undefined, 'back\\slash'], pgText),
      '{"","NULL",NULL,NULL,"back\\\\slash"}',
    );
    assert.equal(
      pgArrayLiteral(
        [
          [1, 2],
          [3, null],
        ],
        pgText,
      ),
      '{{"1","2"},{"3",NULL}}',
    );
    assert.equal(pgArrayLiteral([], pgText), '{}');
    assert.equal(pgArrayLiteral([Buffer.from([0x5c])], pgText), '{"\\\\x5c"}');
    assert.equal(pgArrayLiteral([new Date(0)], pgText), '{"1970-01-01T00:00:00.000Z"}');
    assert.equal(pgArrayLiteral([new JsonNumber('1.5e+9999'), true], pgText), '{"1.5e+9999","true"}');
    assert.equal(pgArrayLiteral(['1', { a: 'x' }], jsonElement), '{"\\"1\\"","{\\"a\\":\\"x\\"}"}');
  });

  it('array columns get literals, json columns keep arrays as JSON, refusals name the element', () => {
    assert.equal(postgresValueConverter(column('text[]'))!(['a', null]), '{"a",NULL}');
    assert.equal(postgresValueConverter(column('numeric(10,2)[]'))!([1.5]), '{"1.5"}');
    assert.equal(postgresValueConverter(column('integer[]'))!('{1,2}'), '{1,2}');
    assert.equal(postgresValueConverter(column('jsonb'))!(['a', 1]), '["a",1]');
    assert.equal(postgresValueConverter(column('jsonb[]'))!(['a', 1]), '{"\\"a\\"","1"}');
    const floats = postgresValueConverter(column('double precision[]'))!;
    assert.match((floats([2n ** 53n + 1n]) as UnstorableValue).reason, /^array element: .*has no exact/);
    assert.match(
      (postgresValueConverter(column('text[]'))!(['\uD800']) as UnstorableValue).reason,
      /surrogate/,
    );
  });
});
