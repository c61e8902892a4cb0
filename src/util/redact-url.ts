/**
 * A connection string with its password replaced by `***`, for every message sluice builds. Works
 * on URLs the WHATWG parser rejects too, and on passwords in query parameters (?password=...).
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, '$1***');
}

/** Removes every occurrence of the password in `text` (driver messages sometimes echo the URL). */
export function redactSecret(text: string, url: string | undefined): string {
  if (url === undefined) return text;
  let out = text.split(url).join(redactUrl(url));
  const password = passwordOf(url);
  if (password !== undefined && password.length >= 3) out = out.split(password).join('***');
  return out;
}

export function passwordOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:([^@/?#]*)@/i.exec(url);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}
