/**
 * GitHub's size limits for what kaic publishes, in one place, and the two ways GitHub counts them.
 * Some are in GitHub's OpenAPI description (annotations per request, check-run summary/text); the
 * others are documented elsewhere and enforced by GitHub with a 422 (comment body, status
 * description, annotation title). Where GitHub says "characters" kaic counts UTF-16 code units,
 * as GitHub's own length checks do (an emoji is two), so a cut text is never refused.
 */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotation title, in characters (counted as UTF-16 code units). */
export const ANNOTATION_TITLE_MAX_UNITS = 255;
/** Annotation `message` and `raw_details`: 64 KB. */
export const ANNOTATION_MESSAGE_MAX_BYTES = 65_535;
/** Check-run `output.summary` and `output.text` (GitHub measures bytes). */
export const CHECK_OUTPUT_MAX_BYTES = 65_535;
/** Check-run `output.title`. */
export const CHECK_TITLE_MAX_UNITS = 1_000;
/** Issue and pull-request comment body, in characters (counted as UTF-16 code units). */
export const COMMENT_BODY_MAX_UNITS = 65_536;
export const STATUS_DESCRIPTION_MAX_UNITS = 140;
/** The job summary of one step: 1 MiB. */
export const JOB_SUMMARY_MAX_BYTES = 1_048_576;

/** A size budget: UTF-8 bytes, UTF-16 code units, or both. */
export interface SizeLimit {
  bytes?: number;
  units?: number;
}

const ELLIPSIS = '…';

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export function fitsLimit(text: string, limit: SizeLimit): boolean {
  return (
    (limit.units === undefined || text.length <= limit.units) &&
    (limit.bytes === undefined || utf8Bytes(text) <= limit.bytes)
  );
}

/** What is left of `limit` once `text` is spent from it. */
export function remainingLimit(limit: SizeLimit, text: string): SizeLimit {
  return {
    ...(limit.units !== undefined ? { units: limit.units - text.length } : {}),
    ...(limit.bytes !== undefined ? { bytes: limit.bytes - utf8Bytes(text) } : {}),
  };
}

/**
 * Cuts `text` to fit `limit`, ending in an ellipsis when cut. Whole code points only: never half
 * of a surrogate pair.
 */
export function truncateToLimit(text: string, limit: SizeLimit): string {
  if (fitsLimit(text, limit)) return text;
  const units = (limit.units ?? Infinity) - ELLIPSIS.length;
  const bytes = (limit.bytes ?? Infinity) - utf8Bytes(ELLIPSIS);
  let out = '';
  let usedUnits = 0;
  let usedBytes = 0;
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (usedUnits + ch.length > units || usedBytes + size > bytes) break;
    out += ch;
    usedUnits += ch.length;
    usedBytes += size;
  }
  return out + ELLIPSIS;
}

/** Cuts `text` to at most `max` UTF-16 code units (GitHub's "characters"). */
export const truncateUnits = (text: string, max: number): string =>
  truncateToLimit(text, { units: max });

/** Cuts `text` to at most `max` UTF-8 bytes on a code-point boundary. */
export const truncateBytes = (text: string, max: number): string =>
  truncateToLimit(text, { bytes: max });
