import { numberFromLiteral } from '../util/json-number.js';

/**
 * One JSON text (RFC 8259) to a JS value, strictly: anything the RFC's grammar rejects throws a
 * JsonSyntaxError with the offset of the problem. Beyond JSON.parse:
 *
 * - a number a double does not hold exactly (more digits than 17, past 2^53, beyond the double
 *   range) becomes a JsonNumber keeping its literal, never a rounded double, Infinity or 0;
 * - a lone UTF-16 surrogate (`"\uD800"`, an RFC "implementation-defined" case) is refused: it has
 *   no UTF-8 form, so no database can store it;
 * - duplicate keys keep the last value, as JSON.parse does (the RFC allows it; JSONTestSuite
 *   lists `{"a":"b","a":"c"}` as valid).
 *
 * Fast path: when the text holds no number that could be inexact (16 or more digits or dots in a
 * row, or an exponent) and no surrogate escape, JSON.parse (native, and itself a conforming
 * parser) reads it. mayNeedExactParser decides cheaply; its false alarms (a long digit run inside
 * a string) only send the text to the exact parser below, which is slower but equivalent.
 */
export function parseJson(text: string): unknown {
  if (!mayNeedExactParser(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // The exact parser finds the same error and says where it is.
    }
    new ExactParser(text).parse();
    // Unreachable while both parsers agree (the conformance suite checks that they do).
    throw new JsonSyntaxError('invalid JSON', 0);
  }
  return new ExactParser(text).parse();
}

/**
 * Where a number token starts (after the start, whitespace, '[', ',' or ':'), an optional minus,
 * then 16 digits or dots in a row, or digits followed by an exponent; or a \u escape of a
 * surrogate (D800-DFFF).
 */
const NEEDS_EXACT_PARSER = /(?:^|[\s:,[])-?(?:[\d.]{16}|\d[\d.]*[eE])|\\u[dD][89a-fA-F]/;

/**
 * True when the text may hold a number a double does not keep, or a surrogate escape. The
 * common NDJSON record, an object without arrays or \u escapes, has every number right after a
 * ':' (and whitespace): only those places are looked at, which costs a fifth of JSON.parse on the
 * bench's records where the regular expression over every character cost half of it. Anything
 * else is checked by the regular expression.
 */
export function mayNeedExactParser(text: string): boolean {
  if (text.charCodeAt(0) !== OPEN_BRACE || text.indexOf('[') !== -1 || text.indexOf('\\u') !== -1) {
    return NEEDS_EXACT_PARSER.test(text);
  }
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let i = colon + 1;
    let c = text.charCodeAt(i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++i);
    if (c === MINUS) c = text.charCodeAt(++i);
    if (c < 48 || c > 57) continue;
    const start = i;
    for (;;) {
      c = text.charCodeAt(++i);
      if ((c >= 48 && c <= 57) || c === 46) continue;
      if (c === 101 || c === 69) return true;
      break;
    }
    // At most 15 digits (and a point), no exponent: a double holds it exactly.
    if (i - start > 15) return true;
  }
  return false;
}

/** A JSON text the RFC 8259 grammar rejects; `offset` is where, in UTF-16 units of the text. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Line (counted from `firstLine`) and 1-based column of `offset` in `text`. */
export function positionOf(
  text: string,
  offset: number,
  firstLine: number,
): { line: number; column: number } {
  let line = firstLine;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const MINUS = 45;

const SIMPLE_ESCAPES: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

export const LONE_SURROGATE_IN_JSON =
  'the text holds a lone UTF-16 surrogate, which has no UTF-8 form (no database can store it)';

interface Frame {
  readonly container: unknown[] | Record<string, unknown>;
  readonly array: boolean;
  key: string;
}

/**
 * The RFC's grammar, iteratively (an explicit stack, so 100,000 nested arrays cannot overflow the
 * call stack), building the value as it goes.
 */
class ExactParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): unknown {
    const text = this.text;
    const stack: Frame[] = [];
    let value: unknown;
    for (;;) {
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === OPEN_BRACE) {
        this.pos++;
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === CLOSE_BRACE) {
          this.pos++;
          value = {};
        } else {
          const record: Record<string, unknown> = {};
          stack.push({ container: record, array: false, key: this.key() });
          continue;
        }
      } else if (c === OPEN_BRACKET) {
        this.pos++;
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === CLOSE_BRACKET) {
          this.pos++;
          value = [];
        } else {
          stack.push({ container: [], array: true, key: '' });
          continue;
        }
      } else {
        value = this.scalar(c);
      }
      // A value is complete: hand it to the containers it closes, until one wants another value.
      for (;;) {
        const frame = stack[stack.length - 1];
        if (frame === undefined) {
          this.skipWhitespace();
          if (this.pos < text.length) this.fail('unexpected text after the JSON value');
          return value;
        }
        if (frame.array) (frame.container as unknown[]).push(value);
        else setKey(frame.container as Record<string, unknown>, frame.key, value);
        this.skipWhitespace();
        const next = text.charCodeAt(this.pos);
        if (next === COMMA) {
          this.pos++;
          if (!frame.array) {
            this.skipWhitespace();
            frame.key = this.key();
          }
          break;
        }
        if (next === (frame.array ? CLOSE_BRACKET : CLOSE_BRACE)) {
          this.pos++;
          stack.pop();
          value = frame.container;
          continue;
        }
        this.fail(frame.array ? "expected ',' or ']' in the array" : "expected ',' or '}' in the object");
      }
    }
  }

  /** An object key and its colon; the whitespace before the key is already skipped. */
  private key(): string {
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('expected a string key in the object');
    const key = this.string();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== COLON) this.fail("expected ':' after the object key");
    this.pos++;
    return key;
  }

  private scalar(c: number): unknown {
    if (c === QUOTE) return this.string();
    if (c === MINUS || (c >= 48 && c <= 57)) return this.number();
    if (this.literal('true')) return true;
    if (this.literal('false')) return false;
    if (this.literal('null')) return null;
    return this.fail(
      this.pos >= this.text.length ? 'unexpected end of input, expected a value' : 'expected a value',
    );
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  private number(): unknown {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === MINUS) i++;
    const first = text.charCodeAt(i);
    if (first === 48) i++;
    else if (first >= 49 && first <= 57) i = digitsFrom(text, i);
    else this.fail('expected a digit in the number', i);
    if (text.charCodeAt(i) === 46 /* . */) {
      const after = digitsFrom(text, i + 1);
      if (after === i + 1) this.fail("expected a digit after '.' in the number", i + 1);
      i = after;
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === MINUS) i++;
      const after = digitsFrom(text, i);
      if (after === i) this.fail('expected a digit in the exponent', i);
      i = after;
    }
    this.pos = i;
    return numberFromLiteral(text.slice(start, i));
  }

  private string(): string {
    const text = this.text;
    let i = this.pos + 1;
    let from = i;
    let out = '';
    for (;;) {
      if (i >= text.length) this.fail('unterminated string', this.pos);
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c < 0x20) this.fail('control character in a string (it must be escaped)', i);
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) this.fail(LONE_SURROGATE_IN_JSON, i);
        i += 2;
        continue;
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += text.slice(from, i);
      const escape = text.charCodeAt(i + 1);
      const simple = SIMPLE_ESCAPES[escape];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (escape === 117 /* u */) {
        const unit = this.hex4(i + 2);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = text.startsWith('\\u', i + 6) ? this.hex4(i + 8) : -1;
          if (!(low >= 0xdc00 && low <= 0xdfff)) this.fail(LONE_SURROGATE_IN_JSON, i);
          out += String.fromCharCode(unit, low);
          i += 12;
        } else {
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail(LONE_SURROGATE_IN_JSON, i);
          out += String.fromCharCode(unit);
          i += 6;
        }
      } else {
        this.fail('invalid escape in a string', i);
      }
      from = i;
    }
    this.pos = i + 1;
    return out + text.slice(from, i);
  }

  private hex4(at: number): number {
    let unit = 0;
    for (let k = at; k < at + 4; k++) {
      const c = this.text.charCodeAt(k);
      const digit =
        c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (digit < 0) this.fail('invalid \\u escape in a string (4 hex digits expected)', at - 2);
      unit = unit * 16 + digit;
    }
    return unit;
  }

  private skipWhitespace(): void {
    const text = this.text;
    let i = this.pos;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.pos = i;
  }

  private fail(reason: string, at = this.pos): never {
    const shown = at < this.text.length ? ` at ${describeChar(this.text, at)}` : ' at the end of the input';
    throw new JsonSyntaxError(`${reason}${shown}`, at);
  }
}

function digitsFrom(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    else return i;
  }
}

/** Like JSON.parse: "__proto__" is an ordinary own key, not the prototype. */
function setKey(record: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

function describeChar(text: string, at: number): string {
  const code = text.codePointAt(at)!;
  if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) || code === 0xfeff) {
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return JSON.stringify(String.fromCodePoint(code));
}

/** The exact parser alone, without the JSON.parse fast path (the conformance tests compare both). */
export function parseJsonExact(text: string): unknown {
  return new ExactParser(text).parse();
}
