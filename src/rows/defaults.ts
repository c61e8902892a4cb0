/** Client-side defaults: a value, or a function called once per row that lacks the field. */
export type DefaultValue = unknown | ((this: void) => unknown);
export type Defaults = Readonly<Record<string, DefaultValue>>;

export function defaultProducer(value: DefaultValue): () => unknown {
  return typeof value === 'function' ? (value as () => unknown) : () => value;
}
