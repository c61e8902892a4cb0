/**
 * Server database URLs (`postgres://user:password@host:port/db?params`), parsed the way people
 * write them: with the password pasted as it is, unencoded.
 *
 * The userinfo ends at the LAST `@` before the host: only that lets a password hold `@` (WHATWG
 * parsers do the same within the host part). The user is what comes before the first `:` of the
 * userinfo, the password everything after it, so a password may hold `:` and `@` freely. It may
 * hold `/`, `?` and `#` too, which normally end the host part; an `@` after one of them could then
 * end the password or belong to the path or query (`postgres://h:5432/db?application_name=me@work`).
 * So every `@` is tried as the end of the userinfo (and so is "no userinfo"), and a reading is
 * plausible when:
 *
 * - a userinfo holding `/`, `?` or `#` has a `:` before them (a password may hold them, a user
 *   name is not taken to);
 * - what follows is a valid host list (`host`, `host:port`, `[v6]:port`, comma-separated);
 * - every `@` after the host part sits in a `key=value` query parameter (an `@` in a database
 *   name or a fragment is not believed: a password holding `@` and `/` is far more common).
 *
 * Exactly one plausible reading is taken. Several are refused as ambiguous: the wrong one would
 * send the password to another host. Percent-escapes (`%40`) are decoded in the user and the
 * password; a `%` not followed by two hex digits is a literal `%`.
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
  const userinfoEnd = chooseUserinfo(rest);
  const userinfo = userinfoEnd === -1 ? undefined : rest.slice(0, userinfoEnd);
  const after = userinfoEnd === -1 ? rest : rest.slice(userinfoEnd + 1);
  const hostEnd = firstOf(after, '/?#');
  const authority = after.slice(0, hostEnd);
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

/**
 * Where the userinfo of `rest` (the URL after `://`) ends: the index of its `@`, or -1 for none.
 * Every `@` is a candidate, and so is "no userinfo"; exactly one reading must be plausible.
 */
function chooseUserinfo(rest: string): number {
  const candidates = [-1];
  for (let at = rest.indexOf('@'); at !== -1; at = rest.indexOf('@', at + 1)) candidates.push(at);
  const verdicts = candidates.map((end) => reading(rest, end));
  const plausible = candidates.filter((_, i) => verdicts[i] === 'plausible');
  if (plausible.length === 1) return plausible[0]!;
  if (plausible.length > 1) {
    throw new DbUrlError(
      "it is ambiguous: an '@' after a '/', '?' or '#' may end the password or belong to the path or query",
      ENCODE_HINT + '; or write an @ in the query as %40',
    );
  }
  if (verdicts[verdicts.length - 1] === 'bad host') {
    throw new DbUrlError(
      'its host part is not a valid host[:port] list',
      `check the host and the port (a number); ${ENCODE_HINT}`,
    );
  }
  throw new DbUrlError('its user, password and host cannot be told apart', ENCODE_HINT);
}

/**
 * Whether the userinfo may end at `end` (-1: no userinfo): a userinfo holding `/`, `?` or `#` has
 * a `:` before them (only a password holds those), the host part after it is a valid host list,
 * and every `@` after the host part sits in a key=value query parameter.
 */
function reading(rest: string, end: number): 'plausible' | 'bad host' | 'implausible' {
  if (end === -1) {
    if (rest.slice(0, firstOf(rest, '/?#')).includes('@')) return 'implausible';
  } else {
    const userinfo = rest.slice(0, end);
    const special = firstOf(userinfo, '/?#');
    const colon = userinfo.indexOf(':');
    if (special < userinfo.length && (colon === -1 || colon > special)) return 'implausible';
  }
  const after = rest.slice(end + 1);
  const hostEnd = firstOf(after, '/?#');
  if (!HOST_LIST.test(after.slice(0, hostEnd))) return 'bad host';
  return atSignsInQuery(after.slice(hostEnd)) ? 'plausible' : 'implausible';
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
