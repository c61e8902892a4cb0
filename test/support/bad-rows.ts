import type { DialectName } from '../../src/dialects/dialect.js';

/** A table that can refuse a row in every way the bad-input tests need, per database. */
export function badRowsSchema(dialect: DialectName): string[] {
  switch (dialect) {
    case 'postgres':
      return [
        'CREATE TABLE roles (id integer PRIMARY KEY)',
        'INSERT INTO roles VALUES (1), (2)',
        'CREATE TABLE items (name varchar(50) UNIQUE NOT NULL, qty integer, born date, role_id integer REFERENCES roles(id))',
      ];
    case 'mysql':
      return [
        'CREATE TABLE roles (id int PRIMARY KEY)',
        'INSERT INTO roles VALUES (1), (2)',
        `CREATE TABLE items (name varchar(50) UNIQUE NOT NULL, qty int, born date, role_id int,
          FOREIGN KEY (role_id) REFERENCES roles(id))`,
      ];
    case 'sqlite':
      // SQLite has no date type: a CHECK stands in for the type check a server does.
      return [
        'CREATE TABLE roles (id INTEGER PRIMARY KEY)',
        'INSERT INTO roles VALUES (1), (2)',
        `CREATE TABLE items (name TEXT UNIQUE NOT NULL, qty INTEGER, born TEXT CHECK (born IS date(born)),
          role_id INTEGER REFERENCES roles(id)) STRICT`,
      ];
  }
}

/** Each kind of bad row, alone, with the line it sits on in a file built by `fileWith`. */
export const BAD_ROWS: readonly { readonly kind: string; readonly text: Buffer; readonly parser: boolean }[] =
  [
    { kind: 'too few fields', text: Buffer.from('few,1'), parser: true },
    { kind: 'too many fields', text: Buffer.from('many,1,2020-01-01,1,extra'), parser: true },
    { kind: 'unterminated quote', text: Buffer.from('"open,1,2020-01-01,1'), parser: true },
    { kind: 'NUL byte', text: Buffer.from('nul\0byte,1,2020-01-01,1'), parser: true },
    {
      kind: 'invalid UTF-8',
      text: Buffer.concat([Buffer.from('bad'), Buffer.from([0xff, 0xfe]), Buffer.from(',1,2020-01-01,1')]),
      parser: true,
    },
    { kind: 'not an integer', text: Buffer.from('notint,abc,2020-01-01,1'), parser: false },
    {
      kind: 'integer out of range',
      text: Buffer.from('big,99999999999999999999,2020-01-01,1'),
      parser: false,
    },
    { kind: 'not a date', text: Buffer.from('baddate,1,2020-13-45,1'), parser: false },
    { kind: 'NOT NULL', text: Buffer.from(',1,2020-01-01,1'), parser: false },
    { kind: 'unique', text: Buffer.from('ok1,3,2020-01-03,1'), parser: false },
    { kind: 'foreign key', text: Buffer.from('fk,1,2020-01-01,99'), parser: false },
  ];

export const HEADER = 'name,qty,born,role_id';

/** header, ok1 (line 2), the given rows (from line 3), then okLast. */
export function fileWith(rows: readonly Buffer[]): Buffer {
  return Buffer.concat([
    Buffer.from(`${HEADER}\nok1,1,2020-01-01,1\n`),
    ...rows.flatMap((r) => [r, Buffer.from('\n')]),
    Buffer.from('okLast,9,2020-02-02,2\n'),
  ]);
}
