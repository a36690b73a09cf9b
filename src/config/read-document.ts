/**
 * The file's text parsed into plain data. YAML 1.2 reads JSON too, so one parser serves both and reports
 * the line of a syntax error either way.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors';

/** Largest config file read: a backends file is a few KiB; a bigger one could only stall the router. */
export const DEFAULT_MAX_CONFIG_BYTES = 4 * 1024 * 1024;

const CHUNK_BYTES = 64 * 1024;

function tooBig(file: string, maxBytes: number, size?: number): ConfigError {
  const what = size === undefined ? 'more than' : `${size} bytes,`;
  return new ConfigError(file, [
    {
      path: '',
      problem: `the file is ${what} over the ${maxBytes}-byte cap for a config file (MCP_MAX_CONFIG_BYTES raises it); refused without reading it`,
    },
  ]);
}

/**
 * The file's text, at most `maxBytes` of it: its size is checked before a byte is read, and reading stops
 * past the cap should it grow meanwhile (or be a pipe).
 */
function readText(file: string, maxBytes: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (stat.size > maxBytes) throw tooBig(file, maxBytes, stat.size);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw tooBig(file, maxBytes);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } catch (error) {
    throw readRefusal(file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The same off the event loop's back: for reloads, which happen while requests are being served. */
async function readTextAsync(file: string, maxBytes: number): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (stat.size > maxBytes) throw tooBig(file, maxBytes, stat.size);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(CHUNK_BYTES), 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw tooBig(file, maxBytes);
      chunks.push(buffer.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } catch (error) {
    throw readRefusal(file, error);
  } finally {
    await handle?.close().catch(() => {});
  }
}

function readRefusal(file: string, error: unknown): ConfigError {
  if (error instanceof ConfigError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const problem =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES'
          ? 'permission denied: cannot read the file'
          : `cannot read the file (${code ?? String(error)})`;
  return new ConfigError(file, [{ path: '', problem }]);
}

/** Parses `text`; `file` is for messages only. An empty file is an empty mapping. */
export function parseDocumentText(file: string, text: string): unknown {
  // uniqueKeys (the default) makes a repeated key an error: the second would silently win otherwise.
  // merge: `<<: *defaults` shares settings between backends, as in docker-compose files.
  const doc = parseDocument(text, { prettyErrors: true, merge: true });
  if (doc.errors.length) {
    const [e] = doc.errors as [(typeof doc.errors)[number]];
    const at = e.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}: ` : '';
    const what = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
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

export function readDocument(file: string, maxBytes = DEFAULT_MAX_CONFIG_BYTES): unknown {
  return withoutExtensions(parseDocumentText(file, readText(file, maxBytes)));
}

export async function readDocumentAsync(file: string, maxBytes = DEFAULT_MAX_CONFIG_BYTES): Promise<unknown> {
  return withoutExtensions(parseDocumentText(file, await readTextAsync(file, maxBytes)));
}
