/**
 * Evidence shortened for a one-line report: the text an expectation matched
 * kept whole, with context around it, every cut at a word boundary and
 * marked with "...".  A cut never falls inside a UUID (nor inside any word,
 * unless a single word is longer than the room left for it).
 */

const ELLIPSIS = '...';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * `text` in at most `max` characters of its own (the "..." marks come on
 * top): from its start when the first occurrence of `needle` (if given)
 * ends within `max`, else around that occurrence (kept whole even when it
 * alone is longer than `max`), with the room left split on both sides.
 */
export function excerpt(text: string, needle: string | undefined, max: number): string {
  if (text.length <= max) return text;
  const at = needle ? text.indexOf(needle) : -1;
  const end = at + (needle?.length ?? 0);
  // A text is read from its start: keep the start whenever the needle fits in it.
  // (Never cut before the needle's end: its last word may run past `max`.)
  if (at < 0 || end <= max) return cutRight(text, 0, max, protectedSpans(text), Math.max(0, end));
  const spare = Math.max(0, max - needle!.length);
  // Context split evenly; a side with less text gives the rest to the other.
  let before = Math.min(at, Math.floor(spare / 2));
  const after = Math.min(text.length - end, spare - before);
  before = Math.min(at, spare - after);
  const spans = protectedSpans(text);
  const start = leftCut(text, at - before, at, spans);
  const stop = rightCut(text, end + after, end, spans);
  return `${start > 0 ? ELLIPSIS : ''}${text.slice(start, stop).trim()}${stop < text.length ? ELLIPSIS : ''}`;
}

function cutRight(text: string, start: number, max: number, spans: readonly [number, number][], floor: number): string {
  const stop = rightCut(text, start + max, Math.max(start, floor), spans);
  return `${text.slice(start, stop).trimEnd()}${stop < text.length ? ELLIPSIS : ''}`;
}

/** UUIDs in `text`, as [start, end) spans no cut may fall inside. */
function protectedSpans(text: string): [number, number][] {
  return [...text.matchAll(UUID)].map((m) => [m.index, m.index + m[0].length]);
}

/**
 * The end of a slice ending at most at `limit` and at least at `floor`:
 * the last whitespace before `limit`; failing one (a single long word),
 * `limit` itself moved back out of any UUID, and never below `floor`.
 */
function rightCut(text: string, limit: number, floor: number, spans: readonly [number, number][]): number {
  if (limit >= text.length) return text.length;
  if (/\s/.test(text[limit]!)) return limit;
  for (let i = limit; i > floor; i--) if (/\s/.test(text[i - 1]!)) return i;
  let pos = limit;
  for (const [a, b] of spans) if (pos > a && pos < b) pos = a > floor ? a : b;
  return pos;
}

/** The start of a slice starting at least at `limit` and at most at `ceiling`, the mirror of rightCut. */
function leftCut(text: string, limit: number, ceiling: number, spans: readonly [number, number][]): number {
  if (limit <= 0) return 0;
  if (/\s/.test(text[limit - 1]!)) return limit;
  for (let i = limit; i < ceiling; i++) if (/\s/.test(text[i]!)) return i + 1;
  let pos = limit;
  for (const [a, b] of spans) if (pos > a && pos < b) pos = b < ceiling ? b : a;
  return pos;
}
