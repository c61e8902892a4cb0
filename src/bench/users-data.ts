/**
 * The guide's `users` rows, generated deterministically: the same seed gives the same rows on any
 * machine, and the first n rows of a longer run are the n rows of a shorter one (a sample is a
 * prefix). No Math.random: a seeded PRNG (mulberry32) drives every choice. `sluice bench` loads
 * them into its scratch tables; bench/data/generate.ts writes them as cached CSV files.
 *
 * Rows look like `maria48213,maria.lopez@example.org,2019-07-14 03:22:51,3`: about 58 bytes of CSV
 * each (1M rows ≈ 58 MB). Usernames are unique (a name made of letters followed by the row's
 * number); no field ever needs quoting or is empty, so every loader reads the same values.
 */
/** Bump when the rows change, so cached files of the old shape are not reused. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 20240611;

/** The roles table: ids 1..5, in this order. */
export const ROLES: readonly string[] = ['admin', 'editor', 'author', 'viewer', 'guest'];

export const CSV_HEADER = 'username,email,created_at,role_id';
export const CSV_COLUMNS: readonly string[] = ['username', 'email', 'created_at', 'role_id'];

// A type, not an interface: it must fit the library's Record<string, unknown> rows.
export type UserRow = {
  readonly username: string;
  readonly email: string;
  readonly created_at: Date;
  readonly role_id: number;
};

const FIRST = [
  'maria',
  'james',
  'wei',
  'fatima',
  'olga',
  'juan',
  'aiko',
  'noah',
  'emma',
  'liam',
  'sofia',
  'omar',
  'chen',
  'anna',
  'ivan',
  'lucas',
  'mei',
  'amir',
  'nina',
  'paul',
];
const LAST = [
  'lopez',
  'smith',
  'wang',
  'khan',
  'novak',
  'garcia',
  'sato',
  'brown',
  'muller',
  'silva',
  'rossi',
  'haddad',
  'li',
  'kim',
  'petrov',
  'martin',
  'tanaka',
  'ali',
  'berg',
  'costa',
];
const DOMAINS = ['example.org', 'mail.test', 'corp.test', 'example.com'];

/** 2015-01-01T00:00:00Z and a ten-year span, in seconds. */
const EPOCH_START = Date.UTC(2015, 0, 1) / 1000;
const SPAN_SECONDS = 10 * 365 * 86400;

/** mulberry32: a tiny, fast 32-bit PRNG with a full 2^32 period; returns [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` users, lazily: memory stays flat whatever the count. */
export function* users(count: number, seed = DEFAULT_SEED): Generator<UserRow> {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  for (let i = 1; i <= count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const domain = pick(DOMAINS);
    const seconds = EPOCH_START + Math.floor(random() * SPAN_SECONDS);
    const role = 1 + Math.floor(random() * ROLES.length);
    yield {
      username: first + i,
      email: `${first}.${last}@${domain}`,
      created_at: new Date(seconds * 1000),
      role_id: role,
    };
  }
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: what psql, MariaDB and SQLite all read as a timestamp. */
export function formatTimestamp(date: Date): string {
  const iso = date.toISOString();
  return iso.slice(0, 10) + ' ' + iso.slice(11, 19);
}

export function csvLine(row: UserRow): string {
  return `${row.username},${row.email},${formatTimestamp(row.created_at)},${row.role_id}\n`;
}
