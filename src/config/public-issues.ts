/**
 * A refused reload as the caller of reload_backends_config sees it: which field and what is wrong, never
 * the file's text. The caller may not be able to read the file (it is the router that reads it), so a key
 * or value quoted from it comes back only when it is a short plain name (a typo such as "namepsace"), and
 * then escaped; anything else is replaced by its length. The router's own log keeps the full messages.
 */

/** Issues shown to the caller; the rest are counted. */
export const MAX_PUBLIC_ISSUES = 5;
const MAX_LINE_CHARS = 200;
const PLAIN = /^[A-Za-z0-9_.-]{1,32}$/;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** A run of name characters longer than a plain name: a key or value of the file, written unquoted in a path. */
const LONG_RUN = /[A-Za-z0-9_.-]{33,}/g;

function excerpt(quoted: string): string {
  let text: string;
  try {
    text = JSON.parse(`"${quoted}"`) as string;
  } catch {
    text = quoted;
  }
  return PLAIN.test(text) ? `"${text}"` : `(${text.length} characters from the file)`;
}

/** One refusal line ("path: problem") made safe to return: excerpts cut, control characters escaped. */
export function publicIssueLine(line: string): string {
  let cleaned = line.replace(QUOTED, (_m, inner: string) => excerpt(inner));
  // A quote left unclosed (a cut message) would carry the rest of the line: cut it there.
  if ((cleaned.match(/"/g)?.length ?? 0) % 2 === 1) cleaned = `${cleaned.slice(0, cleaned.lastIndexOf('"'))}…`;
  cleaned = cleaned
    .replace(LONG_RUN, (run) => `(${run.length} characters from the file)`)
    .replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cleaned.length > MAX_LINE_CHARS ? `${cleaned.slice(0, MAX_LINE_CHARS - 1)}…` : cleaned;
}

/** The lines a caller gets: at most MAX_PUBLIC_ISSUES, then how many more the log holds. */
export function publicIssues(lines: readonly string[]): string[] {
  const shown = lines.slice(0, MAX_PUBLIC_ISSUES).map(publicIssueLine);
  if (lines.length > MAX_PUBLIC_ISSUES)
    shown.push(`… and ${lines.length - MAX_PUBLIC_ISSUES} more problem(s): the router's log lists them all`);
  return shown;
}
