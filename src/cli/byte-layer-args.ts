import type { LoadOptions } from '../options.js';

/**
 * The byte-layer flags (issue 16, part B: encodings, compressed input, sniffing), in one place so
 * they merge beside the CSV dialect flags. Compression needs no flag: it is read from the file's
 * magic bytes or extension.
 */
export const BYTE_LAYER_OPTIONS = {
  encoding: {
    type: 'string',
    help: 'the text encoding: windows-1252, iso-8859-15, utf-16le, shift_jis, gbk … (default utf-8)',
    arg: 'NAME',
  },
  sniff: {
    type: 'boolean',
    help: 'guess the CSV delimiter and quote from the first lines (automatic for a .csv whose header has no comma)',
  },
} as const;

export function byteLayerFrom(
  values: Record<string, string | boolean | string[] | undefined>,
): Pick<LoadOptions, 'encoding' | 'sniff'> {
  return {
    encoding: values.encoding as string | undefined,
    sniff: values.sniff === true ? true : undefined,
  };
}
