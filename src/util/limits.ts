/** A record longer than this is refused rather than buffered: memory stays bounded whatever the input. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;
