import { SluiceError } from '../errors.js';
import { DbUrlError, parseDbUrl, type DbUrl } from '../util/db-url.js';
import { redactUrl } from '../util/redact-url.js';

/**
 * A server dialect's URL, read once by util/db-url.ts (passwords pasted unencoded included), or
 * BAD_USAGE saying why it cannot be read, with the URL shown only as redactUrl() shows it.
 */
export function readServerUrl(url: string): DbUrl {
  try {
    return parseDbUrl(url);
  } catch (error) {
    if (!(error instanceof DbUrlError)) throw error;
    throw new SluiceError('BAD_USAGE', `cannot parse the database URL ${redactUrl(url)}: ${error.message}`, {
      hint: error.hint,
    });
  }
}
