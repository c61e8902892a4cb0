import { redactSecret } from './redact-url.js';

/**
 * Removes every trace of the URL's password from a driver's error, in place, so it can be kept as
 * a cause: its message, stack and every other string property (a host name, Node's `input` of a
 * URL error), then the same for its `cause` chain and an AggregateError's `errors`. The error keeps
 * its class and its typed fields (code, errno, SQLSTATE).
 */
export function scrubError<T>(error: T, url: string | undefined): T {
  if (url === undefined) return error;
  const seen = new Set<object>();
  const scrub = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 5) return;
    seen.add(value);
    for (const key of Object.getOwnPropertyNames(value)) {
      let field: unknown;
      try {
        field = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      if (typeof field === 'string') {
        const clean = redactSecret(field, url);
        if (clean === field) continue;
        try {
          (value as Record<string, unknown>)[key] = clean;
        } catch {
          // read-only: redefine it, or give up on a frozen object
        }
        if ((value as Record<string, unknown>)[key] !== clean) {
          try {
            const enumerable = Object.getOwnPropertyDescriptor(value, key)?.enumerable ?? false;
            Object.defineProperty(value, key, { value: clean, enumerable, configurable: true });
          } catch {
            // frozen
          }
        }
      } else if (key === 'cause' || key === 'errors' || Array.isArray(value)) {
        scrub(field, depth + 1);
      }
    }
  };
  scrub(error, 0);
  return error;
}
