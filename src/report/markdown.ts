/**
 * Markdown from text kaic did not write: failure messages, reasons and titles of a results.json
 * that may come from a fork's workflow. GitHub renders the summary, the check run and the comment,
 * so such text must not become markup: no raw HTML (a `<!--` would hide the rest of a comment,
 * kaic's marker included), no @mention that notifies anyone, no #123 reference that links an issue,
 * no link or image, and no code fence that closes early.
 */

/** Zero-width space as an HTML entity: breaks a mention or reference without changing the text shown. */
const BREAK = '&#8203;';

/**
 * Inline text: one line, HTML and Markdown punctuation escaped, mentions and issue references
 * broken. Safe in a table cell and in a list item.
 */
export function mdInline(text: string): string {
  return (
    text
      .replace(/\r\n?|\n/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // Markdown that could make a link or image (`[`), emphasis, code, a strike or a cell border.
      .replace(/([\\`*_[\]|~])/g, '\\$1')
      // @user, @org/team → no notification; #123, GH-123, owner/repo#123 → no link.
      // (References first: the breaks inserted here are themselves `&#8203;`.)
      .replace(/#(?=\d)/g, `#${BREAK}`)
      .replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}${BREAK}-`)
      .replace(/@(?=[A-Za-z0-9])/g, `@${BREAK}`)
  );
}

/** A table cell: inline text, shortened to `maxUnits` UTF-16 code units of the source text. */
export function mdCell(text: string, maxUnits = Infinity): string {
  return mdInline(shorten(text, maxUnits));
}

/** `text` cut to `maxUnits` UTF-16 code units on a code-point boundary, with an ellipsis. */
export function shorten(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > maxUnits - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/**
 * A fenced code block holding `text` verbatim, each line prefixed by `indent`. The fence is longer
 * than any run of backticks in the text, so the text cannot close it (CommonMark); inside it GitHub
 * renders no HTML, mention or reference.
 */
export function mdCodeBlock(text: string, indent = ''): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  return [`${indent}${fence}text`, ...lines.map((l) => `${indent}${l}`), `${indent}${fence}`];
}
