// Recognises credentials in pack text and masks them, so no diagnostic or report ever prints one whole.

/** Value shapes of well-known credentials (provider API keys, cloud keys, tokens, private keys). */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; re: RegExp }> = [
  { name: 'Anthropic API key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'OpenAI API key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  { name: 'private key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
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
  for (const { name, re } of SECRET_PATTERNS) {
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

/** True for `${NAME}`-style interpolation, which references a variable rather than holding a secret. */
export function isInterpolation(value: string): boolean {
  return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim());
}
