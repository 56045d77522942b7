/**
 * What the CLI prints for people passes through here: text that came from the server (names, comments, reasons,
 * refusals) could hold terminal control sequences that move the cursor, rewrite earlier lines, set the window title
 * or hide text, and format characters (a right-to-left override) that show something other than what is there. Each
 * such character is shown as a visible escape (`\x1b`, `\u202e`) instead. The API refuses them in input already; a
 * run started by another tool, or an old one, may still hold them. JSON output needs none of this: JSON.stringify
 * escapes control characters itself.
 */

// C0 and C1 controls, DEL, and format characters (bidi overrides and isolates, zero-width characters).
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
// The same, except the newline that separates our own lines. (Control characters are what this looks for.)
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\0-\x09\x0b-\x1f\x7f-\x9f\p{Cf}\u2028\u2029]/gu;

function escape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value from the server shown on one line (a name, a comment): every control character escaped, newlines too. */
export function oneLine(text: string | undefined): string | undefined {
  return text?.replace(UNSAFE, escape);
}

/** A whole block of human output: every control character escaped except the newlines that end its lines. */
export function printable(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escape);
}
