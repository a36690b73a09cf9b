/**
 * Secret values a config supplies (expanded `${VAR}` values, env and header values, URL query values, the
 * value after a --token-like flag) and how text is cleaned of them. Error texts come from backends and
 * libraries that know nothing of our secrets (a fetch error quotes the URL, a CLI echoes its arguments), so
 * they are cleaned where they are shown or logged, by value.
 */
export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: replacing every "on" or "8080" would only garble the text. */
const MIN_SECRET_CHARS = 4;
const SHORT_NUMBER = /^\d{1,7}$/;

/** Flags whose next argument (or `=value`) is a secret. */
const SECRET_FLAG =
  /^--?(?:[a-z0-9]+[-_])*(?:token|api[-_]?key|apikey|key|password|passwd|pass|secret|auth|credentials?)$/i;

/** `scheme://user:pw@` and `?query` in any URL of a text. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@?#]*@)?([^\s?#]*)(\?[^\s#"'<>)]*)?/gi;

export function isSecretFlag(arg: string): boolean {
  return SECRET_FLAG.test(arg);
}

function worthHiding(value: string): boolean {
  return value.length >= MIN_SECRET_CHARS && !SHORT_NUMBER.test(value);
}

/** The values of `args` that are secrets by position: the one after `--api-key`, the part after `--token=`. */
export function secretArgValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    if (eq > 0 && isSecretFlag(arg.slice(0, eq))) out.push(arg.slice(eq + 1));
    else if (isSecretFlag(arg) && i + 1 < args.length) out.push(args[++i] ?? '');
  }
  return out.filter(worthHiding);
}

/** The query values of a URL (`?apikey=...`), which publicUrl drops and error texts may still quote. */
export function urlSecretValues(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return [...u.searchParams.values(), decodeURIComponent(u.username), decodeURIComponent(u.password)].filter(
      worthHiding,
    );
  } catch {
    return [];
  }
}

/** A set of secret values and one pass that replaces them all in a text. */
export class SecretSet {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined | null = null;

  add(values: Iterable<string>): this {
    for (const v of values) {
      if (typeof v !== 'string' || !worthHiding(v) || this.values.has(v)) continue;
      this.values.add(v);
      this.pattern = null;
    }
    return this;
  }

  get size(): number {
    return this.values.size;
  }

  private regex(): RegExp | undefined {
    if (this.pattern === null) {
      // Longest first, so that a secret containing another is replaced whole.
      const sorted = [...this.values].sort((a, b) => b.length - a.length);
      this.pattern = sorted.length
        ? new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
        : undefined;
    }
    return this.pattern;
  }

  /** `text` with every known secret, URL credentials and URL query strings replaced. */
  redact(text: string): string {
    const known = this.regex();
    const cleaned = known ? text.replace(known, REDACTED) : text;
    return redactUrls(cleaned);
  }
}

/** URL userinfo and query strings out of any URL in `text`. */
export function redactUrls(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (match, scheme: string, userinfo: string | undefined, rest: string, query) =>
    userinfo || query ? `${scheme}${userinfo ? `${REDACTED}@` : ''}${rest}${query ? `?${REDACTED}` : ''}` : match,
  );
}

/** A command line for display: arguments that hold a secret value, whole or in part, show [redacted]. */
export function displayArgs(args: readonly string[], secrets: SecretSet): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    if (eq > 0 && isSecretFlag(arg.slice(0, eq))) out.push(`${arg.slice(0, eq + 1)}${REDACTED}`);
    else if (isSecretFlag(arg) && i + 1 < args.length) {
      out.push(arg, REDACTED);
      i++;
    } else out.push(secrets.redact(arg));
  }
  return out;
}

/**
 * Every secret any loaded config has supplied in this process (they are few, and a value once secret stays
 * so): log lines are cleaned against it, whichever component writes them.
 */
export const configSecrets = new SecretSet();
