/**
 * Server database URLs (`postgres://user:password@host:port/db?params`), parsed the way people
 * write them: with the password pasted as it is, unencoded.
 *
 * The userinfo ends at the LAST `@` (WHATWG and libpq agree on the easy cases, and only the last
 * `@` lets a password hold `@`). The user is what comes before the first `:` of the userinfo, the
 * password everything after it, so a password may hold `:` and `@` freely. A password may hold
 * `/`, `?` and `#` too, which normally end the host part; then the last `@` might instead belong
 * to the path or the query (`postgres://h:5432/db?application_name=me@work`), and the URL is read
 * both ways:
 *
 * - (whole) the userinfo runs to the last `@`: needs a `:` before the first `/`, `?` or `#` (only
 *   a password, never a user name, is taken to hold those characters);
 * - (standard) the host part ends at the first `/`, `?` or `#`: plausible when that host part is
 *   a valid host list and every `@` after it sits in a `key=value` query parameter (an `@` in the
 *   path, a database name, or in a fragment is not believed).
 *
 * When only one reading works it is taken; when both do, the URL is refused as ambiguous (the
 * other reading would send the password to another host). Percent-escapes (`%40`) are decoded in
 * the user and password; a `%` not followed by two hex digits is a literal `%`.
 */

export interface DbUrl {
  /** Lower-cased, without `://`. */
  readonly scheme: string;
  /** Decoded; undefined when the URL has no userinfo. */
  readonly user: string | undefined;
  /** Decoded; undefined when the userinfo has no `:`. */
  readonly password: string | undefined;
  /** The password exactly as written in the URL (for scrubbing messages). */
  readonly rawPassword: string | undefined;
  /** The host list as written: `host`, `host:5432`, `[::1]:5432`, `h1:3306,h2:3306`, or ''. */
  readonly authority: string;
  readonly hosts: readonly { readonly host: string; readonly port: number | undefined }[];
  /** The path, without its `/`, not decoded ('' when absent). */
  readonly path: string;
  /** The query, without its `?`, not decoded ('' when absent). */
  readonly query: string;
}

/** A URL that cannot be read; the message quotes nothing of it. */
export class DbUrlError extends Error {
  override readonly name = 'DbUrlError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const ENCODE_HINT =
  'percent-encode the special characters of the password: @ as %40, / as %2F, ? as %3F, # as %23, % as %25';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is;
// A host: a bracketed IPv6 address or a registered name / IPv4 address (unreserved, sub-delims and
// percent-escapes, as RFC 3986 allows), then an optional port.
const HOST_ITEM = String.raw`(?:\[[0-9a-f:.]+(?:%25[^\]]*)?\]|[a-z0-9._~!$&'()*+;=%-]*)(?::\d*)?`;
const HOST_LIST = new RegExp(`^${HOST_ITEM}(?:,${HOST_ITEM})*$`, 'i');

export function isServerUrl(url: string): boolean {
  return SCHEME.test(url);
}

export function parseDbUrl(url: string): DbUrl {
  const match = SCHEME.exec(url);
  if (match === null) {
    throw new DbUrlError('it does not start with scheme://', 'e.g. postgres://user@host/db');
  }
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  const at = rest.lastIndexOf('@');
  const userinfoEnd = at === -1 ? -1 : chooseUserinfo(rest, at);
  const userinfo = userinfoEnd === -1 ? undefined : rest.slice(0, userinfoEnd);
  const after = userinfoEnd === -1 ? rest : rest.slice(userinfoEnd + 1);
  const hostEnd = firstOf(after, '/?#');
  const authority = after.slice(0, hostEnd);
  if (!HOST_LIST.test(authority)) {
    throw new DbUrlError(
      'its host part is not a valid host[:port] list',
      `check the host and the port (a number); ${ENCODE_HINT}`,
    );
  }
  const tail = after.slice(hostEnd);
  const queryAt = tail.indexOf('?');
  const fragmentAt = tail.indexOf('#');
  const pathEnd = Math.min(
    queryAt === -1 ? tail.length : queryAt,
    fragmentAt === -1 ? tail.length : fragmentAt,
  );
  const query =
    queryAt === -1 || (fragmentAt !== -1 && fragmentAt < queryAt)
      ? ''
      : tail.slice(queryAt + 1, fragmentAt > queryAt ? fragmentAt : tail.length);
  const colon = userinfo?.indexOf(':') ?? -1;
  const rawUser = userinfo === undefined ? undefined : colon === -1 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = userinfo === undefined || colon === -1 ? undefined : userinfo.slice(colon + 1);
  return {
    scheme,
    user: rawUser === undefined ? undefined : percentDecode(rawUser),
    password: rawPassword === undefined ? undefined : percentDecode(rawPassword),
    rawPassword,
    authority,
    hosts: authority === '' ? [] : authority.split(',').map(hostItem),
    path: tail.slice(0, pathEnd).replace(/^\//, ''),
    query,
  };
}

/**
 * The same URL in its standard form: user and password percent-encoded, so any URL parser reads
 * them back exactly; stray `%` and spaces in the rest encoded too (pg's parser re-encodes a URL
 * holding either, which would double-encode the password's escapes).
 */
export function canonicalDbUrl(url: DbUrl): string {
  let userinfo = '';
  if (url.user !== undefined) {
    userinfo = encodeURIComponent(url.user);
    if (url.password !== undefined) userinfo += ':' + encodeURIComponent(url.password);
    userinfo += '@';
  }
  const path = url.path === '' ? '' : '/' + encodeStray(url.path);
  const query = url.query === '' ? '' : '?' + encodeStray(url.query);
  return `${url.scheme}://${userinfo}${url.authority}${path}${query}`;
}

/** Decodes %XX escapes (UTF-8); a `%` that does not start a valid escape stays as it is. */
export function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** Where the userinfo of `rest` ends (the index of its `@`), `at` being the last `@`. */
function chooseUserinfo(rest: string, at: number): number {
  const userinfo = rest.slice(0, at);
  const special = firstOf(userinfo, '/?#');
  if (special === userinfo.length) return at;
  const colon = userinfo.indexOf(':');
  const after = rest.slice(at + 1);
  const whole = colon !== -1 && colon < special && HOST_LIST.test(after.slice(0, firstOf(after, '/?#')));
  const authorityEnd = firstOf(rest, '/?#');
  const standardAt = rest.lastIndexOf('@', authorityEnd);
  const standard =
    HOST_LIST.test(rest.slice(standardAt + 1, authorityEnd)) && atSignsInQuery(rest.slice(authorityEnd));
  if (whole && standard) {
    throw new DbUrlError(
      "it is ambiguous: an '@' after a '/', '?' or '#' may end the password or belong to the path or query",
      ENCODE_HINT + '; or write an @ in the query as %40',
    );
  }
  if (whole) return at;
  if (standard) return standardAt;
  throw new DbUrlError('its user, password and host cannot be told apart', ENCODE_HINT);
}

/** True when every `@` of a URL's tail (path, query, fragment) sits in a key=value query parameter. */
function atSignsInQuery(tail: string): boolean {
  const fragment = tail.indexOf('#');
  if (fragment !== -1 && tail.includes('@', fragment)) return false;
  const upTo = fragment === -1 ? tail : tail.slice(0, fragment);
  const queryAt = upTo.indexOf('?');
  const path = queryAt === -1 ? upTo : upTo.slice(0, queryAt);
  if (path.includes('@')) return false;
  if (queryAt === -1) return true;
  return upTo
    .slice(queryAt + 1)
    .split('&')
    .every(
      (param) => !param.includes('@') || (param.includes('=') && param.indexOf('=') < param.indexOf('@')),
    );
}

function hostItem(item: string): { host: string; port: number | undefined } {
  const bracket = item.startsWith('[') ? item.indexOf(']') : -1;
  const colon = item.indexOf(':', bracket + 1);
  const host = colon === -1 ? item : item.slice(0, colon);
  const port = colon === -1 || colon === item.length - 1 ? undefined : Number(item.slice(colon + 1));
  return { host: percentDecode(bracket === -1 ? host : host.slice(1, bracket)), port };
}

function firstOf(text: string, characters: string): number {
  for (let i = 0; i < text.length; i++) if (characters.includes(text[i]!)) return i;
  return text.length;
}

function encodeStray(text: string): string {
  return text.replace(/%(?![0-9a-f]{2})/gi, '%25').replaceAll(' ', '%20');
}
