// Built-in PII and secret detectors: pure, linear-time functions from text to entity spans.
import { execAll } from './exec-all.js';
import { isPlausiblePhone } from './phone.js';

/** A detected span in a text. Offsets are UTF-16 code units, end exclusive. */
export interface PiiSpan {
  entity: string;
  start: number;
  end: number;
}

/** Every entity the built-in detectors know, sorted. */
export const BUILTIN_ENTITIES = ['API_KEY', 'CREDIT_CARD', 'EMAIL', 'IBAN', 'IP_ADDRESS', 'PHONE', 'SSN'] as const;

/**
 * Custom patterns run on JavaScript's backtracking engine, so they scan a slot in windows of this
 * many characters (plus {@link CUSTOM_WINDOW_OVERLAP}): a slow pattern's worst case is bounded by
 * the window, not by the message size. A custom match longer than the overlap may be cut.
 */
export const CUSTOM_WINDOW = 4096;
/** Overlap between custom-pattern windows; matches up to this length never straddle a cut. */
export const CUSTOM_WINDOW_OVERLAP = 512;

type Finder = (text: string, out: PiiSpan[]) => void;

// ---------------------------------------------------------------- EMAIL
// '/' and ':' are legal in RFC 5322 local parts but in practice mark URLs and paths, not mailboxes.
const EMAIL_LOCAL = /[A-Za-z0-9._%+\-!#$&'*=?^`{|}~]/;
const EMAIL_DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$/;

/** Anchored on '@': expanding by hand keeps the scan linear and skips the regex start-position cost. */
const findEmails: Finder = (text, out) => {
  let at = text.indexOf('@');
  while (at !== -1) {
    let s = at;
    while (s > 0 && at - s < 64 && EMAIL_LOCAL.test(text[s - 1])) s--;
    let e = at + 1;
    while (e < text.length && e - at < 254 && /[A-Za-z0-9.-]/.test(text[e])) e++;
    while (e > at + 1 && (text[e - 1] === '.' || text[e - 1] === '-')) e--;
    while (s < at && (text[s] === '.' || text[s] === '-')) s++;
    const local = text.slice(s, at);
    const domain = text.slice(at + 1, e);
    const before = s > 0 ? text[s - 1] : '';
    const after = e < text.length ? text[e] : '';
    // `user:secret@host` after `//` is URL userinfo, not a mailbox.
    const userinfo = before === '/' || /\/\/[^\s/@]*$/.test(text.slice(Math.max(0, s - 80), s));
    if (local.length > 0 && !local.includes('..') && EMAIL_DOMAIN.test(domain) && !userinfo && !/[\w@]/.test(after)) {
      out.push({ entity: 'EMAIL', start: s, end: e });
    }
    at = text.indexOf('@', Math.max(e, at + 1));
  }
};

// ---------------------------------------------------------------- CREDIT_CARD
/** Luhn checksum over a digit string. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when `digits` starts in a real issuer range and has that scheme's length. */
export function cardIssuer(digits: string): string | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if ((p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19) return 'diners';
  if (p2 === 62 && n >= 16 && n <= 19) return 'unionpay';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 67 || p2 === 63) && n >= 12 && n <= 19) return 'maestro';
  return null;
}

// Groups of 4 with one consistent separator (or none), or Amex/Diners 4-6-5 / 4-6-4.
const CARD = /\d(?<![\d.,\-/]\d)(?:\d{3}([ -]?)\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{3}([ -]?)\d{6}\2\d{4,5})(?![\d\-/]|[.,]\d)/g;

const findCards: Finder = (text, out) => {
  execAll(CARD, text, (m) => {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 12 && digits.length <= 19 && luhn(digits) && cardIssuer(digits)) {
      out.push({ entity: 'CREDIT_CARD', start: m.index, end: m.index + m[0].length });
    }
  });
};

// ---------------------------------------------------------------- SSN
const SSN = /(\d(?<![\d\-./:]\d)\d{2})([- ])(\d{2})\2(\d{4})(?![\d\-/:]|[.,]\d)/g;
/** Nine bare digits, tried only right after an SSN keyword (sticky). */
const SSN_BARE_AT = /\d(?<![\d\-./:]\d)\d{8}(?![\d\-/:]|[.,]\d)/y;
const SSN_CONTEXT = /\b(?:ssn|ssns|social security(?: number| no\.?| #)?|soc\.? sec\.?)\W{0,5}$/i;
const SSN_KEYWORD = /\b(?:ssns|ssn|social security(?: number| no\.?| #)?|soc\.? sec\.?)\W{0,5}/gi;

/** SSA rules: area 000, 666 and 900–999, group 00 and serial 0000 are never issued. */
export function isIssuableSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const findSsns: Finder = (text, out) => {
  execAll(SSN, text, (m) => {
    // Space-separated digits are only an SSN next to an SSN keyword (else: phone fragments, ids).
    if (m[2] === ' ' && !SSN_CONTEXT.test(text.slice(Math.max(0, m.index - 30), m.index))) return;
    if (isIssuableSsn(m[1], m[3], m[4])) out.push({ entity: 'SSN', start: m.index, end: m.index + m[0].length });
  });
  // Bare nine digits only count right after an SSN keyword: look only there.
  SSN_KEYWORD.lastIndex = 0;
  for (let k = SSN_KEYWORD.exec(text); k; k = SSN_KEYWORD.exec(text)) {
    SSN_BARE_AT.lastIndex = k.index + k[0].length;
    const m = SSN_BARE_AT.exec(text);
    if (!m) continue;
    const d = m[0];
    if (isIssuableSsn(d.slice(0, 3), d.slice(3, 5), d.slice(5))) out.push({ entity: 'SSN', start: m.index, end: m.index + 9 });
  }
};

// ---------------------------------------------------------------- IBAN
/** IBAN length per country (ISO 13616 registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24,
  PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/** ISO 7064 mod-97-10 check of a compact IBAN. */
export function ibanChecksumOk(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const v = code >= 65 ? String(code - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

const IBAN = /([A-Z](?<![A-Za-z0-9][A-Z])[A-Z])(\d{2})((?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?![a-z0-9])/g;

const findIbans: Finder = (text, out) => {
  execAll(IBAN, text, (m) => {
    const len = IBAN_LENGTHS[m[1]];
    if (!len) return;
    // The regex may run into a following upper-case word: cut at the country's length.
    let count = 0;
    let end = m.index;
    const raw = m[0];
    for (let i = 0; i < raw.length && count < len; i++) {
      if (raw[i] !== ' ') count++;
      end = m.index + i + 1;
    }
    if (count !== len || /[A-Za-z0-9]/.test(text[end] ?? '')) return;
    const compact = text.slice(m.index, end).replace(/ /g, '');
    if (ibanChecksumOk(compact)) out.push({ entity: 'IBAN', start: m.index, end });
  });
};

// ---------------------------------------------------------------- IP_ADDRESS
const IPV4 = /(\d(?<![\w.:-]\d)\d{0,2})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\w-]|\.\d)/g;
const VERSION_CONTEXT = /\b(?:v|ver|version|versions|release|rel|build|firmware|fw|rev|revision|update|patch|sdk|api|os|ios|android|chrome|node|section|sections|chapter|clause|figure|fig|table|step|rule|item|paragraph|para|art|article|§)\W{0,3}$/i;
/** Words near a dotted quad that make it a network address. */
const IP_CONTEXT = /(?:^|[^a-z])(?:ip|ips|ipv4|ip_address|ipaddr|addr|address|addresses|host|hostname|hosts|server|servers|ping|ssh|scp|rdp|telnet|curl|wget|nmap|traceroute|nslookup|dig|connect|connected|connection|connections|connecting|gateway|subnet|netmask|cidr|dns|nameserver|resolver|route|routes|proxy|firewall|client|clients|remote|peer|peers|x-forwarded-for|forwarded|src|dst|source|destination|listen|listening|bind|nat|vpn|lan|wan|router|allowlist|whitelist|blocklist|blacklist|blocked|banned|allow|deny|login|logins|request|requests|traffic|origin|endpoint|node|nodes|instance|vm|container|pod|interface|inet|eth\d|port|attacker|attack|scan|scanned|visitor|visitors)(?:[^a-z]|$)/i;
/** Words around a dotted quad that make it a version or build number. */
const VERSION_WORDS_BEFORE = /(?:^|[^a-z])(?:v|ver|version|versions|release|released|build|builds|firmware|update|updated|upgrade|upgraded|upgrading|downgrade|downgraded|patch|patched|hotfix|driver|package|sdk|app|assembly|assemblyversion|fileversion|productversion|nuget|pip|npm|gem|maven|apk|ios|android|windows|macos|chrome|firefox|edge|safari|kernel|bios|installed|install|installing|bumped|bump|pinned|pin|requires|tag|tagged)(?:[^a-z]|$)[^\n]{0,30}$/i;
const VERSION_WORDS_AFTER = /^[\s,)]{0,3}(?:release|build|update|patch|version|beta|alpha|rc\d*|lts|hotfix|changelog|is out|was released|ships|introduced|adds|fixes|fixed|deprecated)\b/i;

/** Private, loopback, link-local, shared and documentation ranges: dotted quads there are addresses. */
function reservedRange(o: number[]): boolean {
  return o[0] === 10 || o[0] === 127 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168) || (o[0] === 169 && o[1] === 254) || (o[0] === 100 && o[1] >= 64 && o[1] <= 127) || (o[0] === 192 && o[1] === 0 && o[2] === 2) || (o[0] === 198 && o[1] === 51 && o[2] === 100) || (o[0] === 203 && o[1] === 0 && o[2] === 113);
}

/**
 * Whether a valid dotted quad at `start..end` is an IP address rather than a version or build number
 * ("upgraded to 4.8.1.0", "2.1.0.4 ships Monday"). Network words or a port/CIDR suffix make it an address;
 * version words make it a version; without either, small numbers that look like a version (all parts under
 * 100, a first part under 30 or a last part of 0) are read as one, unless in a reserved address range or all
 * four parts are equal (1.1.1.1, 8.8.8.8).
 */
function isIpv4Address(text: string, start: number, end: number, o: number[]): boolean {
  const before = text.slice(Math.max(0, start - 40), start);
  if (VERSION_CONTEXT.test(before.slice(-12))) return false;
  if (/^(?::\d{1,5}\b|\/\d{1,2}\b)/.test(text.slice(end, end + 6)) || IP_CONTEXT.test(before.slice(before.lastIndexOf('\n') + 1))) return true;
  if (VERSION_WORDS_BEFORE.test(before) || VERSION_WORDS_AFTER.test(text.slice(end, end + 24))) return false;
  const versionShaped = o.every((x) => x < 100) && (o[0] < 30 || o[3] === 0);
  return !versionShaped || reservedRange(o) || o.every((x) => x === o[0]);
}

const findIpv4: Finder = (text, out) => {
  execAll(IPV4, text, (m) => {
    const octets = [m[1], m[2], m[3], m[4]];
    if (octets.some((o) => Number(o) > 255 || (o.length > 1 && o[0] === '0'))) return;
    const end = m.index + m[0].length;
    if (!isIpv4Address(text, m.index, end, octets.map(Number))) return;
    out.push({ entity: 'IP_ADDRESS', start: m.index, end });
  });
};

/** Parses an IPv6 address (with optional embedded IPv4) strictly. */
export function isIpv6(s: string): boolean {
  let head = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const tail = s.slice(lastColon + 1);
    const o = tail.split('.');
    if (o.length !== 4 || o.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return false;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== -1 && head.indexOf('::', dbl + 1) !== -1) return false;
  const parts = head.split(':');
  if (dbl === -1) return parts.length === 8 && parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p));
  const [l, r] = [head.slice(0, dbl), head.slice(dbl + 2)];
  const lp = l === '' ? [] : l.split(':');
  const rp = r === '' ? [] : r.split(':');
  if (lp.length + rp.length > 7) return false;
  return [...lp, ...rp].every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p));
}

const HEXISH = /[0-9A-Fa-f:.]/;
const WORDISH = /[\w:]/;

/** Anchored on ':' and expanded by hand: colons are rare in prose, hex letters are not. */
const findIpv6: Finder = (text, out) => {
  let at = text.indexOf(':');
  while (at !== -1) {
    let s = at;
    while (s > 0 && HEXISH.test(text[s - 1])) s--;
    let e = at + 1;
    while (e < text.length && HEXISH.test(text[e])) e++;
    while (e > at + 1 && text[e - 1] === '.') e--;
    while (s < at && text[s] === '.') s++;
    const cand = text.slice(s, e);
    const before = s > 0 ? text[s - 1] : '';
    const after = e < text.length ? text[e] : '';
    if (cand.length >= 3 && (cand.match(/:/g) ?? []).length >= 2 && !WORDISH.test(before) && !/[\w]/.test(after) && isIpv6(cand)) {
      const groups = cand.split(':').filter((g) => g !== '');
      // Short forms such as `a::b` or `dead::beef` read as code (C++ scopes); require some substance.
      if (!(cand.includes('::') && (groups.length < 2 || !/\d/.test(cand) || cand.replace(/[^0-9A-Fa-f]/g, '').length < 4))) {
        out.push({ entity: 'IP_ADDRESS', start: s, end: e });
      }
    }
    at = text.indexOf(':', Math.max(e, at + 1));
  }
};

// ---------------------------------------------------------------- PHONE
const PHONE = /(?:\+(?<![\w+.\-/:=#@$]\+)\(?\d|\((?<![\w+.\-/:=#@$]\()\d|\d(?<![\w+.\-/:=#@$(]\d))[\d ().\-]{5,18}\d(?![\w\-/:@]|[.,]\d)/g;
const PHONE_CONTEXT = /\b(?:phone|tel|telephone|mobile|mob|cell|fax|call|text|sms|whatsapp|ring|contact|reach|dial|hotline|number|no\.|telefon|téléphone|teléfono|telefone|telefono|handy|portable|tél)\b[^\n\d]{0,20}$/i;

/** A code token right before a candidate ("1Z 999 AA1 01 2345 6784"): the digits continue that code. */
const CODE_BEFORE = /(?:^|[\s(])(?=[A-Za-z0-9]*\d)([A-Za-z0-9]{2,})[ -]$/;
/** A code token right after a candidate: letters and digits mixed, or three digits or more. */
const CODE_AFTER = /^[ -](?:(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{2,}|\d{3,})(?![\w/])/;
const SHIPMENT_CONTEXT = /\b(?:tracking|track|shipment|shipping|parcel|package|consignment|waybill|awb|ups|fedex|usps|dhl|order|invoice|serial|sku|ref|reference|account|acct|iban|bic|swift)\b[^\n\d]{0,20}$/i;

const findPhones: Finder = (text, out) => {
  execAll(PHONE, text, (m) => {
    const raw = m[0];
    const end = m.index + raw.length;
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    const context = PHONE_CONTEXT.test(before);
    // Digit groups that continue a longer code (a spaced tracking or account number) are not a phone number.
    if (((before.endsWith(' ') || before.endsWith('-')) && CODE_BEFORE.test(before)) || ((text[end] === ' ' || text[end] === '-') && CODE_AFTER.test(text.slice(end, end + 16)))) return;
    if (!context && SHIPMENT_CONTEXT.test(before)) return;
    if (isPlausiblePhone(raw, context)) out.push({ entity: 'PHONE', start: m.index, end });
  });
};

// ---------------------------------------------------------------- API_KEY
/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER = /(?:x{4,}|\.{3}|example|sample|dummy|placeholder|your[_-]?(?:api[_-]?)?(?:key|token|secret)|redacted|changeme|insert|here|test[_-]?key|fake|0{8,}|1234567890|abcdef(?:gh)?)/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A random-looking key body: mixed classes, enough entropy, no placeholder words, not a UUID. */
function keyLike(body: string, minEntropy = 3.2): boolean {
  if (UUID.test(body) || PLACEHOLDER.test(body)) return false;
  const classes = Number(/[a-z]/.test(body)) + Number(/[A-Z]/.test(body)) + Number(/\d/.test(body));
  if (classes < 2 || !/\d/.test(body)) return false;
  // Hyphenated word slugs (sk-learn-pipeline-utils) are phrases, not keys.
  if (/^(?:[a-z]+-){2,}[a-z]+$/i.test(body)) return false;
  return entropy(body) >= minEntropy;
}

interface KeyRule {
  pattern: RegExp;
  /** Regex source of a prefix every match contains; the rule is skipped when the prefilter never sees it. */
  pre?: string;
  /** When set, every match starts this many characters before the prefix: the rule is tried only there (sticky). */
  at?: number;
  /** Capture group holding the random body to vet (0 = whole match). */
  body?: number;
  /** Capture group that is the secret itself (redacts only it); default the whole match. */
  span?: number;
  vet?: boolean;
  minEntropy?: number;
}

const KEY_NAMES = String.raw`(?:api[_-]?key|apikey|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|aws_?secret_?access_?key|secret_?access_?key)`;

const KEY_RULES: KeyRule[] = [
  // Anthropic before OpenAI: both start with sk-.
  { pre: 'sk-ant-', at: 0, pattern: /sk-ant-(?<![\w-]sk-ant-)(?:api|admin|sid)\d{2}-([A-Za-z0-9_-]{32,})(?![\w-])/g, body: 1 },
  { pre: 'sk-', at: 0, pattern: /sk-(?<![\w-]sk-)(?!ant-)(?:proj-|svcacct-|admin-|None-)?([A-Za-z0-9_-]{20,})(?![\w-])/g, body: 1 },
  { pre: 'A(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)', at: 0, pattern: /A(?<![A-Z0-9]A)(?:KIA|SIA|BIA|CCA|GPA|IDA|ROA|IPA|NPA|NVA|PKA)[A-Z0-9]{16}(?![A-Z0-9])/g, body: 0, minEntropy: 2.5 },
  { pre: 'gh[pousr]_', at: 0, pattern: /gh(?<!\wgh)[pousr]_([A-Za-z0-9]{36,255})(?!\w)/g, body: 1 },
  { pre: 'github_pat_', at: 0, pattern: /github_pat_(?<!\wgithub_pat_)([A-Za-z0-9_]{60,255})(?!\w)/g, body: 1 },
  { pre: 'glpat-', at: 0, pattern: /glpat-(?<!\wglpat-)([A-Za-z0-9_-]{20,})(?![\w-])/g, body: 1 },
  { pre: 'xox', at: 0, pattern: /xox(?<![\w-]xox)[abposr]-([0-9A-Za-z-]{10,})(?![\w-])/g, body: 1, minEntropy: 2.8 },
  { pre: 'hooks\\.slack\\.com', pattern: /https:\/\/hooks\.slack\.com\/services\/(T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,})/g, body: 1 },
  { pre: 'k_(?:live|test)_', at: 1, pattern: /[sr]k_(?<!\w[sr]k_)(?:live|test)_([0-9A-Za-z]{16,})(?!\w)/g, body: 1 },
  { pre: 'whsec_', at: 0, pattern: /whsec_(?<!\wwhsec_)([0-9A-Za-z+/]{24,})(?!\w)/g, body: 1 },
  { pre: 'AIza', at: 0, pattern: /AIza(?<![\w-]AIza)([0-9A-Za-z_-]{35})(?![\w-])/g, body: 1 },
  { pre: 'npm_', at: 0, pattern: /npm_(?<!\wnpm_)([A-Za-z0-9]{36})(?!\w)/g, body: 1 },
  { pre: 'hf_', at: 0, pattern: /hf_(?<!\whf_)([A-Za-z]{34})(?!\w)/g, body: 1, minEntropy: 3.0, vet: false },
  { pre: 'SG\\.', at: 0, pattern: /SG\.(?<!\wSG\.)([\w-]{22}\.[\w-]{43})(?![\w-])/g, body: 1 },
  { pattern: /[SA][KC](?<!\w[SA][KC])([0-9a-f]{32})(?!\w)/g, body: 1, minEntropy: 3.0 },
  { pre: 'eyJ', at: 0, pattern: /eyJ(?<![\w-]eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![\w-])/g, vet: false },
  { pre: 'PRIVATE KEY-----', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[A-Za-z0-9+/=\s:,-]{0,8192}?-----END (?:[A-Z]+ )?PRIVATE KEY-----/g, vet: false },
  // URL userinfo passwords: scheme://user:password@host.
  { pre: '://', at: 0, pattern: /:\/\/[^\s:/@]{1,64}:([^\s:/@]{6,128})@/dg, span: 1, vet: false },
  // `api_key = "..."` assignments, anchored on the ':' or '=' (rare in prose) with the name looked up behind it.
  {
    pattern: new RegExp(String.raw`[:=](?<=(?<![\w-])${KEY_NAMES}["']?\s*[:=])\s*["']?([A-Za-z0-9_\-+/.=]{16,200})`, 'dgi'),
    body: 1,
    span: 1,
    minEntropy: 3.5,
  },
  { pre: 'earer ', at: 1, pattern: /[Bb]earer\s+([A-Za-z0-9_\-+/.=]{16,200})/dg, body: 1, span: 1, minEntropy: 3.5 },
];

/** Expands a rule's prefix source (`A(?:KIA|SIA)`, `gh[pousr]_`) into the literals it stands for. */
function prefixLiterals(src: string): string[] {
  const group = /^(.*?)\(\?:([^()]*)\)(.*)$/.exec(src);
  if (group) return group[2].split('|').flatMap((alt) => prefixLiterals(group[1] + alt + group[3]));
  const cls = /^(.*?)\[([^\]]*)\](.*)$/.exec(src);
  if (cls) return [...cls[2]].flatMap((c) => prefixLiterals(cls[1] + c + cls[3]));
  return [src.replace(/\\(.)/g, '$1')];
}
const KEY_LITERALS = new Map<string, KeyRule[]>();
for (const r of KEY_RULES) {
  if (!r.pre) continue;
  for (const lit of prefixLiterals(r.pre)) KEY_LITERALS.set(lit, [...(KEY_LITERALS.get(lit) ?? []), r]);
}
/** The rules a prefix literal opens: its own and those of every literal it contains ("sk-ant-" holds "sk-"). */
const KEY_OPENS = new Map<string, KeyRule[]>([...KEY_LITERALS.keys()].map((lit) => [lit, [...KEY_LITERALS].filter(([l]) => lit.includes(l)).flatMap(([, rs]) => rs)]));
// One pass finds which rules can match at all: most texts hold no key, and then no rule regex runs. A pure literal
// alternation (no groups) is what irregexp scans fastest.
const KEY_PREFILTER = new RegExp([...KEY_LITERALS.keys()].sort((a, b) => b.length - a.length).map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');

const STICKY_KEY = new Map(KEY_RULES.filter((r) => r.at !== undefined).map((r) => [r, new RegExp(r.pattern.source, `${r.pattern.flags.replace('g', '')}y`)]));

const findKeys: Finder = (text, out) => {
  // Rules with a fixed start are tried where their prefix stands; the others scan the text if their prefix occurs.
  const starts = new Map<KeyRule, number[]>();
  KEY_PREFILTER.lastIndex = 0;
  for (let m = KEY_PREFILTER.exec(text); m; m = KEY_PREFILTER.exec(text)) {
    for (const r of KEY_OPENS.get(m[0])!) {
      const list = starts.get(r);
      if (!list) starts.set(r, [m.index]);
      else if (list[list.length - 1] !== m.index) list.push(m.index);
    }
  }
  const report = (rule: KeyRule, m: RegExpExecArray): void => {
    if (rule.vet !== false && !keyLike(m[rule.body ?? 0], rule.minEntropy)) return;
    const g = rule.span ?? 0;
    const [start, end] = g === 0 ? [m.index, m.index + m[0].length] : m.indices![g]!;
    out.push({ entity: 'API_KEY', start, end });
  };
  for (const rule of KEY_RULES) {
    const at = starts.get(rule);
    if (rule.pre && !at) continue;
    const sticky = STICKY_KEY.get(rule);
    if (sticky && at) {
      let after = 0;
      for (const p of at) {
        const from = p - rule.at!;
        if (from < after || from < 0) continue;
        sticky.lastIndex = from;
        const m = sticky.exec(text);
        if (!m) continue;
        after = m.index + m[0].length;
        report(rule, m);
      }
      continue;
    }
    rule.pattern.lastIndex = 0;
    execAll(rule.pattern, text, (m) => { report(rule, m); });
  }
};

const FINDERS: Record<string, Finder[]> = {
  API_KEY: [findKeys],
  CREDIT_CARD: [findCards],
  EMAIL: [findEmails],
  IBAN: [findIbans],
  IP_ADDRESS: [findIpv4, findIpv6],
  PHONE: [findPhones],
  SSN: [findSsns],
};

/** Where one entity wins over another on overlap: secrets and checksummed ids beat shape-only matches. */
const PRIORITY: Record<string, number> = { API_KEY: 7, CREDIT_CARD: 6, IBAN: 5, EMAIL: 4, SSN: 3, IP_ADDRESS: 2, PHONE: 1 };

/** Runs `pattern` over `text` window by window so its backtracking cost is bounded per window. */
export function findCustom(text: string, pattern: RegExp, entity: string, out: PiiSpan[]): void {
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  let lastEnd = 0;
  for (let w = 0; w < text.length; w += CUSTOM_WINDOW) {
    const chunk = text.slice(w, w + CUSTOM_WINDOW + CUSTOM_WINDOW_OVERLAP);
    re.lastIndex = 0;
    for (let m = re.exec(chunk); m; m = re.exec(chunk)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const start = w + m.index;
      if (m.index >= CUSTOM_WINDOW) break;
      if (start >= lastEnd) {
        out.push({ entity, start, end: start + m[0].length });
        lastEnd = start + m[0].length;
      }
    }
  }
}

/**
 * Finds entity spans in `text`. Overlaps resolve in favour of the stronger entity (checksummed or
 * secret), then the longer span; the result is sorted by start offset and never overlaps.
 */
export function findPii(text: string, entities: readonly string[], custom: readonly { entity: string; regex: RegExp }[] = []): PiiSpan[] {
  const spans: PiiSpan[] = [];
  for (const e of entities) for (const f of FINDERS[e] ?? []) f(text, spans);
  for (const c of custom) findCustom(text, c.regex, c.entity, spans);
  if (spans.length < 2) return spans;
  // One sweep in start order: on overlap the stronger entity (checksummed or secret), then the longer span, wins.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiSpan[] = [];
  for (const s of spans) {
    const last = kept[kept.length - 1];
    if (!last || s.start >= last.end) {
      kept.push(s);
      continue;
    }
    const rank = (x: PiiSpan): number => (PRIORITY[x.entity] ?? 8) * 1e6 + (x.end - x.start);
    if (rank(s) > rank(last)) kept[kept.length - 1] = s;
  }
  return kept;
}
