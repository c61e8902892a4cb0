import { JsonNumber } from './json-number.js';

/**
 * A value as JSON text, what JSON.stringify writes except that it keeps numbers exact: a
 * JsonNumber is written as its literal, a bigint as its digits (JSON.stringify throws on both).
 * Returns undefined where JSON.stringify does (undefined, a function, a symbol).
 *
 * JSON.stringify does the work whenever it can: JsonNumber.toJSON throws, as a bigint does, and
 * only then is the value written again here, so a value without exact numbers costs one native
 * call. The rest follows JSON.stringify's SerializeJSONProperty: toJSON, boxed primitives,
 * non-finite numbers as null, undefined/functions/symbols left out of objects and null in arrays,
 * own enumerable string keys in order, and a TypeError for a cycle. Lone surrogates are escaped
 * (\udXXX) as JSON.stringify escapes them, so the text is always well formed.
 */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // A JsonNumber, a bigint, a cycle or a throwing toJSON: written here, which throws for the last two.
    return new ExactJsonWriter().value('', value);
  }
}

class ExactJsonWriter {
  private readonly ancestors: object[] = [];

  value(key: string, input: unknown): string | undefined {
    let value = input;
    if (value instanceof JsonNumber) return value.literal;
    if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, key);
    }
    if (value instanceof Number) value = Number(value);
    else if (value instanceof String) value = String(value);
    else if (value instanceof Boolean) value = value.valueOf();
    else if (value instanceof BigInt) value = value.valueOf();
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'number':
        return Number.isFinite(value) ? String(value) : 'null';
      case 'bigint':
        return value.toString();
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object':
        if (value === null) return 'null';
        if (value instanceof JsonNumber) return value.literal;
        return Array.isArray(value) ? this.array(value) : this.object(value);
      default:
        return undefined;
    }
  }

  private array(items: readonly unknown[]): string {
    this.enter(items);
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += ',';
      out += this.value(String(i), items[i]) ?? 'null';
    }
    this.ancestors.pop();
    return out + ']';
  }

  private object(record: object): string {
    this.enter(record);
    let out = '{';
    let first = true;
    for (const key of Object.keys(record)) {
      const text = this.value(key, (record as Record<string, unknown>)[key]);
      if (text === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(key) + ':' + text;
      first = false;
    }
    this.ancestors.pop();
    return out + '}';
  }

  private enter(container: object): void {
    if (this.ancestors.includes(container)) throw new TypeError('Converting circular structure to JSON');
    this.ancestors.push(container);
  }
}
