/**
 * Exposed names. Every exposed tool name matches ^[a-zA-Z0-9_-]{1,64}$ (what the large model APIs accept).
 * Names that would not are mapped deterministically: odd characters become `_`, and a name that is too long,
 * or that had to change, keeps a short hash of the original so two different originals never meet. The
 * router maps back through its own table, never by splitting strings.
 */
import { createHash } from 'node:crypto';

export const NAMESPACE_SEPARATOR = '__';
export const MAX_TOOL_NAME = 64;
const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

export function isValidToolName(name: string): boolean {
  return VALID.test(name);
}

/** The name a client sees for a backend's tool or prompt. */
export function exposedName(namespace: string | null, name: string): string {
  const wanted = namespace ? `${namespace}${NAMESPACE_SEPARATOR}${name}` : name;
  if (isValidToolName(wanted)) return wanted;
  const cleaned = wanted.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
  const suffix = `_${shortHash(wanted)}`;
  return cleaned.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
}
