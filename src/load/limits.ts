// Size limits of pack input, in a module of their own so readers (the lint command) need not load the YAML parser.

/** Largest pack `loadDocument` parses by default (10 MiB); readers need not read past one byte more. */
export const MAX_PACK_BYTES = 10 * 1024 * 1024;
