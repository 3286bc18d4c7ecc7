// Recognises credentials in pack text and masks them, so no diagnostic or report ever prints one whole.

/** Value shapes of well-known credentials (provider API keys, cloud keys, tokens, private keys). */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; re: RegExp; needle?: string }> = [
  { name: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'OpenAI API key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  // The whole block, body included (to the END line, or to the end of the text when it is cut off).
  { name: 'private key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g, needle: 'PRIVATE KEY-----' },
  // scheme://user:password@host (a `${VAR}` password is a reference, not a secret).
  { name: 'password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:(?!\$\{)[^\s@/]+@/gi, needle: '://' },
  { name: 'bearer token', re: /\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*/g },
];

/** A credential found in text: where it is and what kind it looks like. */
export interface SecretMatch {
  name: string;
  /** Offset in the text, end exclusive. */
  start: number;
  end: number;
}

/** Every credential-looking span in `text`, in order, without overlaps. */
export function findSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const { name, re, needle } of SECRET_PATTERNS) {
    // A cheap substring test first: most packs have no URL with credentials and no key block.
    if (needle !== undefined && !text.includes(needle)) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (!found.some((f) => start < f.end && end > f.start)) found.push({ name, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Masks one secret value: keeps a short recognisable prefix, hides the rest. */
export function maskValue(value: string): string {
  const keep = value.length >= 12 ? Math.min(4, Math.floor(value.length / 4)) : 0;
  return `${value.slice(0, keep)}${'*'.repeat(Math.max(4, Math.min(8, value.length - keep)))}`;
}

/** Replaces every credential-looking span in `text` by its mask. */
export function maskSecrets(text: string): string {
  const spans = findSecrets(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + maskValue(text.slice(s.start, s.end));
    at = s.end;
  }
  return out + text.slice(at);
}

/** Keys whose value is a credential when written literally. */
export const SECRET_KEY_NAMES: ReadonlySet<string> = new Set([
  'access_key',
  'access_token',
  'api_key',
  'apikey',
  'auth_token',
  'client_secret',
  'hmac_key',
  'password',
  'private_key',
  'secret',
  'secret_key',
  'token',
]);

/**
 * Spans (offsets, end exclusive) of the values written after credential keys (`api_key: …`,
 * `"password": …`) found in the raw text, whatever their type and even when the file does not
 * parse, so code frames and snippets can mask them. `${VAR}` references are left alone.
 */
export function secretKeyValueSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  KEY_VALUE.lastIndex = 0;
  for (let m = KEY_VALUE.exec(text); m; m = KEY_VALUE.exec(text)) {
    const start = m.index + m[0].length;
    const rest = /^[^\r\n]*/.exec(text.slice(start, start + 4096))![0];
    let value: string;
    if (rest[0] === '"' || rest[0] === "'") {
      const close = rest.indexOf(rest[0], 1);
      value = close > 0 ? rest.slice(0, close + 1) : rest;
    } else {
      // Plain value: up to a comment, or the end of a flow entry when the key sits in `{…}`.
      const flow = /[{[]/.test(text.slice(text.lastIndexOf('\n', m.index) + 1, m.index + m[1].length));
      value = /^[^#]*?(?=\s+#|$)/.exec(flow ? rest.split(/[,}]/)[0] : rest)![0].trimEnd();
    }
    if (value === '' || value === '|' || value === '>' || /^[|>][-+0-9]*$/.test(value) || isInterpolation(value.replace(/^(["'])(.*)\1$/, '$2'))) continue;
    spans.push([start, start + value.length]);
  }
  return spans;
}

const KEY_VALUE = new RegExp(`(^|[\\s{,])["']?(?:${[...SECRET_KEY_NAMES].join('|')})["']?[ \\t]*:[ \\t]*`, 'gim');

/** True for `${NAME}`-style interpolation, which references a variable rather than holding a secret. */
export function isInterpolation(value: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim());
}
