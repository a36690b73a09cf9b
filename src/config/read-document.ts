/**
 * The file's text parsed into plain data. YAML 1.2 reads JSON too, so one parser serves both and reports
 * the line of a syntax error either way.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied: cannot read the file'
            : `cannot read the file (${code ?? String(error)})`;
    throw new ConfigError(file, [{ path: '', problem }]);
  }
}

/** Parses `text`; `file` is for messages only. An empty file is an empty mapping. */
export function parseDocumentText(file: string, text: string): unknown {
  // uniqueKeys (the default) makes a repeated key an error: the second would silently win otherwise.
  // merge: `<<: *defaults` shares settings between backends, as in docker-compose files.
  const doc = parseDocument(text, { prettyErrors: true, merge: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = e.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}: ` : '';
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(file, [
      { path: '', problem: `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${where}${what}` },
    ]);
  }
  return doc.toJS() ?? {};
}

/**
 * Top-level `x-` keys hold YAML anchors for `<<:` merges (the docker-compose convention): they are not
 * settings, so they are dropped before validation rather than refused as unknown.
 */
function withoutExtensions(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith('x-')));
}

export function readDocument(file: string): unknown {
  return withoutExtensions(parseDocumentText(file, readText(file)));
}
