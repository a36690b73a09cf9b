/**
 * SEP-2243 custom headers (2026-07-28, streamable HTTP): a tool marks an argument with `x-mcp-header: Name` in its
 * inputSchema, and a `tools/call` over HTTP mirrors that argument's value in an `Mcp-Param-Name` header, so that
 * proxies can route on it without reading the body. The front checks a client's headers against the body (a
 * missing, malformed or disagreeing one is -32020 on HTTP 400); the back writes them for a 2026 HTTP backend.
 * The SDK implements both sides internally but exports neither.
 */

type Fields = Record<string, unknown>;

export interface ParamHeader {
  /** Where the argument is in `arguments`, through `properties` only. */
  path: string[];
  /** The header is `Mcp-Param-${name}`. */
  name: string;
  type: string | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const PREFIX = '=?base64?';
const SUFFIX = '?=';
/** Values a header can carry as they are: visible ASCII and inner spaces. */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

const scanned = new WeakMap<object, ParamHeader[]>();

/** The `x-mcp-header` declarations of a tool's inputSchema, reachable through `properties` chains (remembered per schema). */
export function paramHeaders(schema: unknown): ParamHeader[] {
  if (schema === null || typeof schema !== 'object') return [];
  let found = scanned.get(schema);
  if (!found) scanned.set(schema, (found = scan(schema)));
  return found;
}

function scan(schema: object): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (node: unknown, path: string[]) => {
    if (node === null || typeof node !== 'object') return;
    const fields = node as Fields;
    const name = fields['x-mcp-header'];
    if (path.length > 0 && typeof name === 'string' && TOKEN.test(name))
      found.push({ path, name, type: typeof fields.type === 'string' ? fields.type : undefined });
    const properties = fields.properties;
    if (properties !== null && typeof properties === 'object')
      for (const [key, child] of Object.entries(properties as Fields)) visit(child, [...path, key]);
  };
  visit(schema, []);
  return found;
}

function valueAt(args: unknown, path: string[]): unknown {
  let node = args;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Fields)[key];
  }
  return node;
}

/** A primitive argument as the header spells it; undefined for what no header carries. */
function spelled(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)))
    return String(value);
  return undefined;
}

/** A header value decoded: `=?base64?…?=` is UTF-8 in canonical Base64; undefined when that is malformed. */
function decoded(header: string): string | undefined {
  if (!(header.startsWith(PREFIX) && header.endsWith(SUFFIX))) return header;
  const b64 = header.slice(PREFIX.length, header.length - SUFFIX.length);
  if (!BASE64.test(b64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

/** What is wrong with a request's `Mcp-Param-*` headers for these declarations, or undefined. */
export function paramHeaderProblem(
  declared: readonly ParamHeader[],
  args: unknown,
  header: (lowerCaseName: string) => string | undefined,
): string | undefined {
  for (const { path, name, type } of declared) {
    const body = valueAt(args, path);
    const expected = spelled(body);
    if (expected === undefined) continue;
    const headerName = `Mcp-Param-${name}`;
    const raw = header(headerName.toLowerCase());
    if (raw === undefined) return `the body carries ${path.join('.')} but the ${headerName} header is absent`;
    const value = decoded(raw.trim());
    if (value === undefined) return `the ${headerName} header carries an invalid Base64 value`;
    const numeric = (type === 'integer' || type === 'number') && typeof body === 'number' && DECIMAL.test(value);
    if (numeric ? Number(value) !== body : value !== expected)
      return `the ${headerName} header does not match ${path.join('.')} in the body`;
  }
  return undefined;
}

/** The `Mcp-Param-*` headers a call with these arguments carries (Base64 for what a header cannot hold as is). */
export function paramHeadersFor(declared: readonly ParamHeader[], args: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { path, name } of declared) {
    const value = spelled(valueAt(args, path));
    if (value === undefined) continue;
    headers[`Mcp-Param-${name}`] =
      PLAIN.test(value) && !value.startsWith(PREFIX)
        ? value
        : `${PREFIX}${Buffer.from(value, 'utf8').toString('base64')}${SUFFIX}`;
  }
  return headers;
}
