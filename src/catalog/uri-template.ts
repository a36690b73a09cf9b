/**
 * Does a URI fit an RFC 6570 template (level 1–3 as MCP servers use them)? Each `{...}` expression matches
 * one run of characters; `{+var}`/`{#var}` may span slashes. Good enough to pick the backend that owns a URI.
 */
const cache = new Map<string, RegExp>();

export function uriMatchesTemplate(uri: string, template: string): boolean {
  let re = cache.get(template);
  if (!re) {
    let source = '^';
    let last = 0;
    for (const m of template.matchAll(/\{([+#./;?&]?)[^}]*\}/g)) {
      source += escape(template.slice(last, m.index));
      const op = m[1];
      source += op === '+' || op === '#' ? '.*' : op === '?' || op === '&' ? '(?:[?&].*)?' : '[^/]*';
      last = (m.index ?? 0) + m[0].length;
    }
    source += escape(template.slice(last)) + '$';
    re = new RegExp(source);
    cache.set(template, re);
  }
  return re.test(uri);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
