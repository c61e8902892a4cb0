/**
 * The checks for values a column would store otherwise than written (binary floats, fractions of
 * a second, decimal scales, MySQL's integers), and their screens: the raw copy keeps a file's own
 * bytes only while no screen matches, so every field a check refuses must match its screen.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DECIMAL_LITERAL,
  floatCheck,
  floatScreen,
  floatStoredOtherwise,
  shortestFloat32,
} from '../../src/dialects/binary-float.js';
import { scaleCheck, scaleScreen } from '../../src/dialects/decimal-scale.js';
import { mysqlStoredAsWritten } from '../../src/dialects/mysql/mysql-values.js';
import { droppedPart } from '../../src/dialects/postgres/dropped-time-parts.js';
import { storedAsWritten } from '../../src/dialects/postgres/postgres-values.js';
import { sqliteTextCheck } from '../../src/dialects/sqlite/sqlite-values.js';
import { fractionCheck, secondDigitsLost, fractionScreen } from '../../src/dialects/second-fraction.js';
import { cutSpacesCheck, cutSpacesScreen } from '../../src/dialects/cut-spaces.js';
import { shortYearCheck, twoDigitYearCheck } from '../../src/dialects/two-digit-year.js';
import { UnstorableValue } from '../../src/dialects/unstorable.js';
import { TextScreen, csvLineRefused } from '../../src/sources/text-screen.js';
import { defaultCsvDialect } from '../../src/util/csv-dialect.js';
import { mulberry32 } from '../../src/bench/users-data.js';
import { JsonNumber, doubleOf, numberFromLiteral } from '../../src/util/json-number.js';

const refused = (value: unknown): boolean => value instanceof UnstorableValue;

describe('binary floats', () => {
  it('passes what reads back as written and names what the float would store instead', () => {
    for (const ok of ['0.1', '1.50', '16777216', '-0', '0', '1e5', '  2.5 ', '3.4028235e38', '1e-45'])
      assert.equal(floatStoredOtherwise(ok, 32), undefined, ok);
    assert.equal(floatStoredOtherwise('16777217', 32), '16777216');
    assert.equal(floatStoredOtherwise('0.100000001', 32), '0.1');
    assert.equal(floatStoredOtherwise('3.14159265', 32), '3.1415927');
    for (const ok of ['0.1', '0.30000000000000004', '9007199254740992', '1.7976931348623157e308', '5e-324'])
      assert.equal(floatStoredOtherwise(ok, 64), undefined, ok);
    assert.equal(floatStoredOtherwise('0.1000000000000000000001', 64), '0.1');
    assert.equal(floatStoredOtherwise('9007199254740993', 64), '9007199254740992');
    assert.equal(floatStoredOtherwise('1e-400', 64), '0');
    // Not numbers, or past the range: the database judges them.
    for (const other of ['NaN', 'Infinity', '-inf', 'abc', '', '1e400', '0x10'])
      assert.equal(floatStoredOtherwise(other, 64), undefined, other);
    assert.equal(floatStoredOtherwise('1e39', 32), undefined);
  });

  it('writes a float32 in its shortest round-trip form', () => {
    assert.equal(shortestFloat32(Math.fround(0.1)), '0.1');
    assert.equal(shortestFloat32(Math.fround(16777217)), '16777216');
    assert.equal(Number(shortestFloat32(Math.fround(Math.PI))), 3.1415927);
  });

  it('checks text, JSON literals and (into a 32-bit column) JS numbers', () => {
    const real = floatCheck('real', 32);
    assert.ok(refused(real('16777217')));
    assert.ok(refused(real(16777217)));
    assert.ok(refused(real(new JsonNumber('0.100000001'))));
    assert.equal(real(0.1), 0.1);
    assert.equal(real(null), null);
    const double = floatCheck('double precision', 64);
    assert.equal(double(0.1 + 0.2), 0.1 + 0.2);
    assert.ok(refused(double('3.141592653589793238')));
    const reason = (real('16777217') as UnstorableValue).reason;
    assert.match(reason, /"16777217" .*real column would store 16777216/);
  });
});

describe('fractions of a second', () => {
  it('counts the digits a column of a precision would lose', () => {
    assert.equal(secondDigitsLost('2020-01-01 10:00:00.1234567', 6), 7);
    assert.equal(secondDigitsLost('2020-01-01 10:00:00.1234560', 6), 0);
    assert.equal(secondDigitsLost('2020-01-01T10:00:00.5Z', 0), 1);
    assert.equal(secondDigitsLost('10:00:00.120', 2), 0);
    assert.equal(secondDigitsLost('10:00.25', 1), 2);
    assert.equal(secondDigitsLost('20200101100000.5', 0), 1);
    assert.equal(secondDigitsLost('20200101T101010.1234567', 6), 7);
    assert.equal(secondDigitsLost('2020-01-01 10:00:00', 0), 0);
    assert.equal(secondDigitsLost('2020-01-01', 0), 0);
  });

  it('refuses Dates whose milliseconds the column drops', () => {
    const seconds = fractionCheck('DATETIME', 0);
    assert.ok(refused(seconds(new Date('2020-01-01T10:00:00.250Z'))));
    assert.ok(!refused(seconds(new Date('2020-01-01T10:00:00.000Z'))));
    assert.ok(!refused(fractionCheck('DATETIME(3)', 3)(new Date('2020-01-01T10:00:00.251Z'))));
    assert.ok(refused(fractionCheck('timestamp(1)', 1)(new Date('1969-12-31T23:59:59.250Z'))));
    assert.ok(!refused(fractionCheck('timestamp(1)', 1)(new Date('1969-12-31T23:59:59.200Z'))));
  });
});

describe('the types each database checks', () => {
  it('PostgreSQL: numeric(p,s), real, double precision, date and the time types', () => {
    for (const type of [
      'date',
      'numeric(5,2)',
      'real',
      'double precision',
      'timestamp without time zone',
      'timestamp(3) with time zone',
      'time(0) without time zone',
    ])
      assert.ok(storedAsWritten(type) !== undefined, type);
    for (const type of ['numeric', 'integer', 'text', 'interval', 'timestamp without time zone[]'])
      assert.equal(storedAsWritten(type), undefined, type);
    assert.ok(refused(storedAsWritten('timestamp without time zone')!.check('2020-01-01 10:00:00.1234567')));
    assert.ok(!refused(storedAsWritten('timestamp without time zone')!.check('2020-01-01 10:00:00.123456')));
    assert.ok(refused(storedAsWritten('timestamp(0) without time zone')!.check('2020-01-01 10:00:00.6')));
    // Both checks of a time type: the zone it drops, and the digits it rounds.
    assert.ok(refused(storedAsWritten('timestamp(3) without time zone')!.check('2020-01-01 10:00:00Z')));
    assert.ok(refused(storedAsWritten('timestamp(3) without time zone')!.check('2020-01-01 10:00:00.1234')));
    assert.ok(!refused(storedAsWritten('timestamp(3) with time zone')!.check('2020-01-01 10:00:00Z')));
  });

  it('MySQL: integers, FLOAT and DOUBLE with (M,D), DATETIME, TIMESTAMP and TIME', () => {
    const int = mysqlStoredAsWritten('int(11)')!.check;
    assert.ok(refused(int('1.5')));
    assert.ok(refused(int('15e-1')));
    assert.equal(int('1.0'), '1.0');
    assert.equal(int('1e3'), '1e3');
    assert.equal(int('12'), '12');
    assert.ok(refused(mysqlStoredAsWritten('float')!.check('16777217')));
    assert.ok(!refused(mysqlStoredAsWritten('double')!.check('16777217')));
    assert.ok(refused(mysqlStoredAsWritten('double(10,2)')!.check('1.005')));
    assert.ok(refused(mysqlStoredAsWritten('datetime')!.check('2020-01-01 10:00:00.5')));
    assert.ok(!refused(mysqlStoredAsWritten('datetime(3)')!.check('2020-01-01 10:00:00.500')));
    assert.ok(refused(mysqlStoredAsWritten('time')!.check('10:00:00.5')));
    assert.equal(mysqlStoredAsWritten('varchar(10)'), undefined);
    assert.equal(mysqlStoredAsWritten('decimal(10,2)'), undefined);
  });
});

/** Random numbers and times of every shape a check looks at. */
function randomField(random: () => number): string {
  const digits = (n: number): string =>
    Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  switch (Math.floor(random() * 7)) {
    case 0:
      return `${pick(['', '-', '+'])}${digits(1 + Math.floor(random() * 12))}.${digits(Math.floor(random() * 12))}`;
    case 1:
      return `${digits(1 + Math.floor(random() * 20))}${pick(['', `e${pick(['', '-', '+'])}${digits(1 + Math.floor(random() * 3))}`])}`;
    case 2:
      return `2020-01-0${1 + Math.floor(random() * 9)} ${digits(2)}:${digits(2)}:${digits(2)}.${digits(Math.floor(random() * 10))}${pick(['', 'Z', '+02'])}`;
    case 3:
      return `${pick(['', '2020010'])}${digits(7)}.${digits(Math.floor(random() * 9))}${pick(['0', '00', ''])}`;
    case 5:
      return `${pick(['', ' ', '1', '12', '2020-', '2020/', '20'])}${digits(Math.floor(random() * 3))}${pick(['', '-', '/', '.'])}${digits(1 + Math.floor(random() * 2))}${pick(['', '-', '/', '.'])}${digits(Math.floor(random() * 3))}${pick(['', ' 10:00', 'x'])}`;
    case 4:
      return `${pick(['', 'a', 'ab', 'abcd', 'a😀c', 'é'])}${pick(['', ' ', '  ', '     '])}${pick(['', 'x', '-', ' b'])}`;
    default:
      return `${pick(['', '2020-01-02', '2020-1-2T', '2020-01-02 '])}${pick(['', ' '])}${digits(2)}:${digits(2)}${pick(['', `:${digits(2)}`, `:${digits(2)}.${digits(Math.floor(random() * 4))}`])}${pick(['', ' ', '  '])}${pick(['', 'Z', '+02', '-0530', 'PM', 'BC', 'UTC', 'Europe/Paris', '00'])}`;
  }
}

describe('screens', () => {
  const checks: [string, (value: unknown) => unknown, RegExp][] = [
    ['float32', floatCheck('real', 32), floatScreen(32)],
    ['float64', floatCheck('double', 64), floatScreen(64)],
    ['scale 0', scaleCheck('numeric(9,0)', 0), scaleScreen(0)!],
    ['scale 2', scaleCheck('numeric(9,2)', 2), scaleScreen(2)!],
    ...[0, 1, 3, 6].map((p): [string, (value: unknown) => unknown, RegExp] => [
      `fraction ${p}`,
      fractionCheck('timestamp', p),
      fractionScreen(p),
    ]),
    ['mysql int', mysqlStoredAsWritten('int')!.check, mysqlStoredAsWritten('int')!.screen!],
    ['mysql char(5)', mysqlStoredAsWritten('char(5)')!.check, mysqlStoredAsWritten('char(5)')!.screen!],
    ['mysql date', mysqlStoredAsWritten('date')!.check, mysqlStoredAsWritten('date')!.screen!],
    [
      'mysql datetime(3)',
      mysqlStoredAsWritten('datetime(3)')!.check,
      mysqlStoredAsWritten('datetime(3)')!.screen!,
    ],
    ['mysql year', mysqlStoredAsWritten('year(4)')!.check, mysqlStoredAsWritten('year(4)')!.screen!],
    ...[
      'date',
      'timestamp without time zone',
      'time(3) without time zone',
      'time with time zone',
      'character varying(4)',
      'timestamp(2) with time zone',
    ].map((type): [string, (value: unknown) => unknown, RegExp] => [
      `postgres ${type}`,
      storedAsWritten(type)!.check,
      storedAsWritten(type)!.screen!,
    ]),
    [
      'mysql float(7,3)',
      mysqlStoredAsWritten('float(7,3)')!.check,
      mysqlStoredAsWritten('float(7,3)')!.screen!,
    ],
  ];

  it('every field a check refuses matches its screen (20,000 random fields each)', () => {
    const random = mulberry32(20261202);
    for (const [name, check, screen] of checks) {
      let refusals = 0;
      for (let i = 0; i < 20_000; i++) {
        const field = randomField(random);
        if (!refused(check(field))) continue;
        refusals++;
        assert.ok(screen.test(field), `${name}: ${field} is refused but not screened`);
      }
      assert.ok(refusals > 100, `${name}: only ${refusals} refusals: the fields do not test it`);
    }
  });

  it('judges each line holding a match by its fields, a line cut by any chunk boundary included', () => {
    const check = fractionCheck('timestamp', 6);
    // Field 2 is checked; field 3 is not.
    const refuses = (line: string): boolean => {
      const field = line.split(',')[1];
      return field !== undefined && check(field) !== field;
    };
    const screen = (): TextScreen => new TextScreen(fractionScreen(6), refuses);
    const bad = Buffer.from('id,t,u\n1,2020-01-01 10:00:00.123,x\n2,2020-01-01 10:00:00.1234567,x\n3,x,y\n');
    const clean = Buffer.from('id,t,u\n1,2020-01-01 10:00:00.123456,10:00:00.1234567\n2,x,y');
    for (let cut = 0; cut <= bad.length; cut++) {
      const s = screen();
      assert.ok(s.matches(bad.subarray(0, cut)) || s.matches(bad.subarray(cut)) || s.end(), `cut at ${cut}`);
    }
    for (let cut = 0; cut <= clean.length; cut++) {
      const s = screen();
      assert.ok(
        !s.matches(clean.subarray(0, cut)) && !s.matches(clean.subarray(cut)) && !s.end(),
        `cut at ${cut}`,
      );
    }
    // The last line, without a line end, is judged at the end.
    const last = screen();
    assert.ok(!last.matches(Buffer.from('id,t\n1,10:00:00.1234567')));
    assert.ok(last.end());
    // A line longer than any record of numbers and times is left to the parser.
    assert.ok(screen().matches(Buffer.from('1,' + 'x'.repeat(1 << 21))));
  });

  it('splits a line as the parser would, and refuses a line it cannot split on its own', () => {
    const check = fractionCheck('timestamp', 6);
    const judge = csvLineRefused(defaultCsvDialect('csv'), [undefined, undefined, check]);
    const bad = '10:00:00.1234567';
    assert.ok(!judge(`1,x,10:00:00.123`));
    assert.ok(!judge(`1,"a,b",10:00:00.123\r`));
    assert.ok(!judge(`1,x,${bad.slice(0, -1)}`));
    assert.ok(!judge(`1,${bad},x`), 'not the checked field');
    assert.ok(judge(`1,x,${bad}`));
    assert.ok(judge(`1,x,${bad}\r`));
    assert.ok(judge(`1,"a ""q"", b",${bad}`));
    assert.ok(judge(`1,x,"${bad}"`));
    // A record over several lines: the line with the opening quote, and the one with the closing.
    assert.ok(judge(`1,"starts here`));
    assert.ok(judge(`ends here",${bad}`));
    assert.ok(judge(`",${bad}`));
    assert.ok(judge(`""",${bad}`));
    assert.ok(judge(`1,"a"b,${bad}`), 'text after a closing quote');
    const escaped = csvLineRefused({ ...defaultCsvDialect('csv'), escape: '\\' }, [check]);
    assert.ok(escaped('a\\,b'));
  });

  it('finds a refused field in a record over several lines, however the file is cut', () => {
    const check = fractionCheck('timestamp', 6);
    const refuses = csvLineRefused(defaultCsvDialect('csv'), [undefined, undefined, check]);
    const file = Buffer.from('id,note,t\n1,"two\nlines, 10:00:00.1",10:00:00.1234567\n2,x,10:00:00.1\n');
    for (let cut = 0; cut <= file.length; cut++) {
      const s = new TextScreen(fractionScreen(6), refuses);
      assert.ok(
        s.matches(file.subarray(0, cut)) || s.matches(file.subarray(cut)) || s.end(),
        `cut at ${cut}`,
      );
    }
  });
});

describe('SQLite numeric affinity', () => {
  const column = (type: string) => ({ name: 'c', type, nullable: true, hasDefault: false });
  // The whole judgement, without the check's one-pass shortcut for short numbers and non-numbers.
  const wouldChange = (field: string, real: boolean): boolean => {
    if (!DECIMAL_LITERAL.test(field)) return false;
    const text = field.trim();
    if (!real && /^[+-]?\d+$/.test(text) && BigInt.asIntN(64, BigInt(text)) === BigInt(text)) return false;
    return !Number.isFinite(Number(text)) || floatStoredOtherwise(text, 64) !== undefined;
  };

  it('refuses exactly the fields the whole judgement refuses (20,000 random fields per affinity)', () => {
    const random = mulberry32(20261203);
    for (const [type, real] of [
      ['REAL', true],
      ['INTEGER', false],
      ['NUMERIC', false],
    ] as const) {
      const check = sqliteTextCheck(column(type))!.check;
      let refusals = 0;
      for (let i = 0; i < 20_000; i++) {
        const base = randomField(random);
        const field = random() < 0.1 ? ` ${base} ` : base;
        const refusedHere = refused(check(field));
        if (refusedHere) refusals++;
        assert.equal(refusedHere, wouldChange(field, real), `${type}: ${JSON.stringify(field)}`);
      }
      assert.ok(refusals > 100, `${type}: only ${refusals} refusals: the fields do not test it`);
    }
  });

  it('passes text and affinities SQLite keeps as written', () => {
    assert.equal(sqliteTextCheck(column('TEXT')), undefined);
    assert.equal(sqliteTextCheck(column('')), undefined);
    const check = sqliteTextCheck(column('INTEGER'))!.check;
    for (const field of ['2021-03-04 05:06:07', 'Infinity', '0x1F', '-42', '9223372036854775807', '1.5'])
      assert.equal(check(field), field, field);
    assert.ok(refused(check('1e400')));
    assert.ok(refused(check('99999999999999999999')));
  });
});

describe('PostgreSQL: the part of a date or time its type drops', () => {
  it('names a zone a timestamp or time drops, a time of day a date drops, a date a time drops', () => {
    const cases: [string, Parameters<typeof droppedPart>[1], string | undefined][] = [
      ['2020-01-01T10:00:00Z', 'timestamp', 'a zone (Z)'],
      ['2020-01-01 10:00:00.5-05:30', 'timestamp', 'a zone (-05:30)'],
      ['2020-01-01 10:00:00 America/New_York', 'timestamp', 'a zone (America/New_York)'],
      ['2020-01-01 10:00:00', 'timestamp', undefined],
      ['2020-01-01 10:00:00 BC', 'timestamp', undefined],
      ['Jan 8 1999 04:05:06 PST', 'timestamp', undefined], // not an ISO shape: PostgreSQL's to read
      ['2020-01-01 10:30:00', 'date', 'a time of day'],
      ['2020-01-01T00:00:00.000Z', 'date', undefined],
      ['2020-01-01', 'date', undefined],
      ['2020-01-01 10:30:00', 'time', 'a date'],
      ['2020-01-01 10:30:00+02', 'time', 'a date and a zone (+02)'],
      ['10:30:00+02', 'time', 'a zone (+02)'],
      ['10:30 pm', 'time', undefined],
      ['10:30:00+02', 'timetz', undefined],
      ['2020-01-01 10:30:00+02', 'timetz', 'a date'],
    ];
    for (const [text, kind, part] of cases) assert.equal(droppedPart(text, kind), part, `${kind} ${text}`);
  });
});

describe('spaces past a length', () => {
  it('counts characters, not UTF-16 units, and refuses only spaces past the length', () => {
    const check = cutSpacesCheck('character varying(2)', 2);
    assert.equal(check('a😀'), 'a😀'); // two characters, three UTF-16 units
    assert.ok(refused(check('a😀 ')));
    assert.ok(refused(check('ab   ')));
    assert.equal(check('ab'), 'ab');
    assert.equal(check('a '), 'a ');
    assert.equal(check('abc'), 'abc'); // the database's own "too long" error
    assert.equal(check('ab c'), 'ab c');
    assert.equal(check(12), 12);
  });
});

describe('two-digit years', () => {
  it('refuses a date with no four-digit year, and a YEAR of one or two digits', () => {
    const date = twoDigitYearCheck('date');
    for (const text of ['1/2/20', '20-01-05', '01/02/20', '1.2.3', ' 1/2/20 10:00'])
      assert.ok(refused(date(text)), text);
    for (const text of ['2020-01-02', '02/01/2020', '2020-1-2', '20200105', 'today', '2020-01-02T10:00:00Z'])
      assert.ok(!refused(date(text)), text);
    const year = shortYearCheck('YEAR(4)');
    for (const value of ['5', '69', '0', '00', ' 7 ', 5, 99]) assert.ok(refused(year(value)), String(value));
    for (const value of ['2005', '1969', 0, 2005, '0000']) assert.ok(!refused(year(value)), String(value));
  });
});

describe('a JSON number into a float column', () => {
  it('is taken when it is the double exactly, written shortest or in every digit', () => {
    assert.equal(doubleOf('9223372036854775808'), 2 ** 63);
    assert.equal(doubleOf('0.1000000000000000055511151231257827021181583404541015625'), 0.1);
    assert.equal(doubleOf('9223372036854775807'), undefined);
    assert.equal(doubleOf('0.1000000000000000000001'), undefined);
    // As a JS number its text would be 0.1: a numeric column must get the literal itself.
    assert.ok(
      numberFromLiteral('0.1000000000000000055511151231257827021181583404541015625') instanceof JsonNumber,
    );
  });
});

describe('leap seconds', () => {
  it('refuses a second of 60 in PostgreSQL time types, and nothing else', () => {
    const check = storedAsWritten('timestamp with time zone')!.check;
    for (const text of ['2016-12-31 23:59:60', '2016-12-31T23:59:60.5Z', '23:59:60'])
      assert.ok(refused(check(text)), text);
    for (const text of ['2016-12-31 23:59:59', '2016-12-31 24:00:00', '12:60', '1:23:600'])
      assert.ok(!refused(check(text)), text);
    assert.ok(refused(storedAsWritten('time without time zone')!.check('23:59:60')));
  });
});

describe('the screen for spaces past a length, by CSV dialect', () => {
  it('finds every refused field at the end of a field (20,000 random fields each), not spaces inside free text', () => {
    const check = cutSpacesCheck('character(2)', 2);
    const random = mulberry32(20261204);
    const dialects = [
      defaultCsvDialect('csv'),
      { ...defaultCsvDialect('csv'), delimiter: ';' },
      { ...defaultCsvDialect('csv'), delimiter: '\t', quote: '' },
      { ...defaultCsvDialect('csv'), delimiter: '|' },
      { ...defaultCsvDialect('csv'), delimiter: '§' },
    ];
    for (const csv of dialects) {
      const screen = new RegExp(cutSpacesScreen(csv).source, 'g');
      let refusals = 0;
      for (let i = 0; i < 20_000; i++) {
        const field = randomField(random);
        if (!refused(check(field))) continue;
        refusals++;
        const quoted = csv.quote !== '' && random() < 0.5 ? `${csv.quote}${field}${csv.quote}` : field;
        for (const line of [`${quoted}`, `1${csv.delimiter}${quoted}`, `${quoted}${csv.delimiter}x\r\n`]) {
          // As the raw copy sees it: the bytes read as latin1.
          const bytes = Buffer.from(line, 'utf8').toString('latin1');
          screen.lastIndex = 0;
          assert.ok(screen.test(bytes), `${JSON.stringify(csv.delimiter)}: ${JSON.stringify(line)}`);
        }
      }
      assert.ok(refusals > 50, `only ${refusals} refusals`);
    }
    assert.ok(!cutSpacesScreen(defaultCsvDialect('csv')).test('1,a - b (c) & d,2\n'));
  });
});
