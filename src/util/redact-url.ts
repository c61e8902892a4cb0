import { canonicalDbUrl, isServerUrl, parseDbUrl, percentDecode, type DbUrl } from './db-url.js';

const PASSWORD_PARAM = /([?&](?:password|pass|pwd)=)[^&#]*/gi;

/**
 * A connection string with its password replaced by `***`, for every message sluice builds. It
 * reads the URL as db-url.ts does, so a password holding `@ / ? # : %` is hidden whole. A URL that
 * cannot be read shows nothing between `://` and its last `@`: whatever the reading, the password
 * is in there. Passwords in query parameters (?password=...) are hidden too.
 */
export function redactUrl(url: string): string {
  if (!isServerUrl(url)) return url.replace(PASSWORD_PARAM, '$1***');
  let parsed: DbUrl;
  try {
    parsed = parseDbUrl(url);
  } catch {
    return hideUserinfo(url);
  }
  return displayUrl(parsed);
}

/**
 * Removes every trace of the URL's password from `text` (driver messages sometimes echo the URL,
 * or the host, user and password sluice handed them): the URL as given and in its standard form,
 * then the password as written, decoded and re-encoded. A URL that cannot be read has each text
 * that could be its password removed. Passwords shorter than 3 characters are left: removing every
 * "ab" from a message would garble it.
 */
export function redactSecret(text: string, url: string | undefined): string {
  if (url === undefined || text === '') return text;
  let out = text;
  const urls = new Set([url]);
  let parsed: DbUrl | undefined;
  if (isServerUrl(url)) {
    try {
      parsed = parseDbUrl(url);
      urls.add(canonicalDbUrl(parsed));
    } catch {
      parsed = undefined;
    }
  }
  for (const form of [...urls].sort((a, b) => b.length - a.length))
    out = out.split(form).join(redactUrl(url));
  const secrets = [...secretsOf(url, parsed)]
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

/** The password of a server URL, decoded, or undefined. */
export function passwordOf(url: string): string | undefined {
  if (!isServerUrl(url)) return undefined;
  try {
    return parseDbUrl(url).password;
  } catch {
    return undefined;
  }
}

/** Every form in which the URL's password might show up in a message. */
function secretsOf(url: string, parsed: DbUrl | undefined): Set<string> {
  const secrets = new Set<string>();
  const add = (raw: string): void => {
    const decoded = percentDecode(raw);
    for (const form of [raw, decoded, encodeURIComponent(decoded), JSON.stringify(decoded).slice(1, -1)])
      secrets.add(form);
  };
  for (const match of url.matchAll(PASSWORD_PARAM)) add(match[0].slice(match[1]!.length));
  if (parsed !== undefined) {
    if (parsed.rawPassword !== undefined) add(parsed.rawPassword);
  } else if (isServerUrl(url)) {
    // Unreadable: every text between the first ':' and an '@' could be the password.
    const rest = url.slice(url.indexOf('://') + 3);
    const colon = rest.indexOf(':');
    for (let at = rest.indexOf('@'); at !== -1; at = rest.indexOf('@', at + 1)) {
      if (colon !== -1 && colon < at) add(rest.slice(colon + 1, at));
      add(rest.slice(0, at));
    }
  }
  return secrets;
}

function displayUrl(url: DbUrl): string {
  let userinfo = '';
  if (url.user !== undefined) {
    userinfo = encodeURIComponent(url.user) + (url.password === undefined ? '' : ':***') + '@';
  }
  const path = url.path === '' ? '' : '/' + url.path;
  const query = url.query === '' ? '' : ('?' + url.query).replace(PASSWORD_PARAM, '$1***');
  return `${url.scheme}://${userinfo}${url.authority}${path}${query}`;
}

function hideUserinfo(url: string): string {
  const start = url.indexOf('://') + 3;
  const at = url.lastIndexOf('@');
  const shown = at < start ? url : url.slice(0, start) + '***' + url.slice(at);
  return shown.replace(PASSWORD_PARAM, '$1***');
}
