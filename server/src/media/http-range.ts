export type RangeResult = { start: number; end: number } | 'whole' | 'unsatisfiable';

/**
 * Reads a `Range` header against a file of `size` bytes (RFC 9110 §14). Only one `bytes=` range is served as a
 * 206; no header, another unit, a malformed value or several ranges all get the whole file, which the RFC
 * allows and every client copes with.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return 'whole';
  const m = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i.exec(header.trim());
  if (!m) return 'whole';
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'whole';
  if (a === '') {
    // Suffix range: the last n bytes.
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const last = b === '' ? Number.POSITIVE_INFINITY : Number(b);
  if (last < start) return 'whole'; // invalid per the RFC, so it is ignored rather than refused
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

/** Strong ETag for an opaque tag; a tag already in quotes is kept as is. */
export function quoteEtag(tag: string): string {
  return /^(W\/)?".*"$/.test(tag) ? tag : `"${tag}"`;
}

const opaque = (t: string) => t.trim().replace(/^W\//, '');

/** `If-None-Match` uses weak comparison: W/"x" matches "x"; `*` matches any current file. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => opaque(t) === opaque(etag));
}
