/**
 * The checkpoint row of each share of a parallel load is keyed by the file's absolute path and
 * "#part k of N": the shares of one load keep a row each, and a resume with another N finds rows it
 * did not write and refuses (N is part of the key, as it is of the options key).
 */
export function shareKey(path: string, part: number, of: number): string {
  return `${path}#part ${part} of ${of}`;
}

/** The share a checkpoint's source key names, if it is one of `path`'s (an absolute path). */
export function shareOf(key: string, path: string): { part: number; of: number } | undefined {
  if (!key.startsWith(`${path}#part `)) return undefined;
  const match = /^(\d+) of (\d+)$/.exec(key.slice(path.length + '#part '.length));
  return match === null ? undefined : { part: Number(match[1]), of: Number(match[2]) };
}
