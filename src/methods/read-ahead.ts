import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * `items`, each passed through `prepare`, with the next one pulled and prepared while the caller
 * works on the one it was given: one item ahead, no more. A database that applies a statement
 * while this process waits for its verdict (LOAD DATA per batch) then gets the next statement's
 * rows ready instead of an idle gap in which they are read, mapped and encoded.
 *
 * The pull waits a turn of the event loop before it starts, so the statement the caller is about
 * to send goes out first. An error of the pull (a bad record in the source) is held and thrown
 * only when the caller asks for the item it stands for: the item before it is the caller's to
 * finish first, as its database error names an earlier row. When the caller stops early, the pull
 * under way is waited for and the source closed.
 */
export async function* readAhead<T, U>(items: AsyncIterable<T>, prepare: (item: T) => U): AsyncGenerator<U> {
  const iterator = items[Symbol.asyncIterator]();
  const pull = async (): Promise<IteratorResult<U, undefined>> => {
    await nextTurn();
    const next = await iterator.next();
    return next.done === true
      ? { done: true, value: undefined }
      : { done: false, value: prepare(next.value) };
  };
  let next = pull();
  // Held until asked for; no unhandled rejection meanwhile.
  next.catch(() => undefined);
  try {
    for (;;) {
      const current = await next;
      if (current.done === true) return;
      next = pull();
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await next.catch(() => undefined);
    await iterator.return?.();
  }
}

/**
 * `items` with a turn of the event loop before each pull, so a long read ahead (thousands of rows
 * mapped in microtasks) lets the connection's replies in between its pieces.
 */
export async function* yieldingToIo<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const item of items) {
    yield item;
    await nextTurn();
  }
}
