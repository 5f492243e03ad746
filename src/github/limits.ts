/**
 * GitHub's size limits for what kaic publishes, in one place. Some are in GitHub's OpenAPI
 * description (annotations per request, check-run summary/text); the others are documented
 * elsewhere and enforced by GitHub with a 422 (comment body, status description, annotation title).
 */
export const ANNOTATIONS_PER_REQUEST = 50;
export const ANNOTATION_TITLE_MAX_CHARS = 255;
/** Annotation `message` and `raw_details`: 64 KB. */
export const ANNOTATION_MESSAGE_MAX_BYTES = 65_535;
/** Check-run `output.summary` and `output.text` (GitHub measures bytes). */
export const CHECK_OUTPUT_MAX_BYTES = 65_535;
export const COMMENT_BODY_MAX_CHARS = 65_536;
export const STATUS_DESCRIPTION_MAX_CHARS = 140;
/** The job summary of one step: 1 MiB. */
export const JOB_SUMMARY_MAX_BYTES = 1_048_576;

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters (code points), ending in an ellipsis when cut. */
export function truncateChars(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + ELLIPSIS;
}

/** Cuts `text` to at most `max` UTF-8 bytes on a character boundary, ending in an ellipsis when cut. */
export function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const budget = max - Buffer.byteLength(ELLIPSIS, 'utf8');
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > budget) break;
    out += ch;
    used += size;
  }
  return out + ELLIPSIS;
}
