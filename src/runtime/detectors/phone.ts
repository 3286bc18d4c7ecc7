// Hand-written phone-number plausibility check: E.164 country lengths and NANP rules, no metadata tables.

/** National significant number lengths [min, max] per ITU calling code (common codes; others use 7–12). */
const CALLING_CODES: Record<string, [number, number]> = {
  1: [10, 10], 7: [10, 10], 20: [8, 10], 27: [9, 9], 30: [10, 10], 31: [9, 9], 32: [8, 9], 33: [9, 9], 34: [9, 9],
  36: [8, 9], 39: [6, 11], 40: [9, 9], 41: [9, 9], 43: [4, 13], 44: [9, 10], 45: [8, 8], 46: [7, 10], 47: [8, 8],
  48: [9, 9], 49: [6, 13], 51: [8, 9], 52: [10, 10], 53: [8, 8], 54: [10, 11], 55: [10, 11], 56: [9, 9], 57: [10, 10],
  58: [10, 10], 60: [8, 10], 61: [9, 9], 62: [8, 12], 63: [8, 10], 64: [8, 10], 65: [8, 8], 66: [8, 9], 81: [9, 10],
  82: [8, 10], 84: [9, 10], 86: [10, 11], 90: [10, 10], 91: [10, 10], 92: [9, 10], 93: [9, 9], 94: [9, 9], 95: [7, 10],
  98: [10, 10], 212: [9, 9], 213: [9, 9], 216: [8, 8], 234: [8, 10], 254: [9, 9], 255: [9, 9], 256: [9, 9],
  351: [9, 9], 352: [6, 11], 353: [7, 9], 354: [7, 9], 358: [6, 11], 359: [8, 9], 370: [8, 8], 371: [8, 8],
  372: [7, 8], 380: [9, 9], 385: [8, 9], 386: [8, 8], 420: [9, 9], 421: [9, 9], 852: [8, 8], 853: [8, 8],
  880: [10, 10], 886: [9, 9], 961: [7, 8], 962: [9, 9], 963: [9, 9], 964: [10, 10], 965: [8, 8], 966: [9, 9],
  971: [8, 9], 972: [8, 9], 974: [8, 8], 977: [8, 10],
};

const NANP = /^(?:\+?1[ .-]?)?(?:\((\d{3})\) ?|(\d{3})([ .-]))(\d{3})[ .-](\d{4})$/;
const DATE_LIKE = /^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?:\D|$)/;
const TRUNK_NATIONAL = /^\(?0[1-9]\d{0,4}\)?(?:[ -]\d{2,6}){1,4}$/;

/** True when a NANP area code and exchange can be assigned: [2-9]XX, not an N11 service code. */
function nanpOk(area: string, exchange: string): boolean {
  return /^[2-9]\d\d$/.test(area) && /^[2-9]\d\d$/.test(exchange) && !/^[2-9]11$/.test(area) && !/^[2-9]11$/.test(exchange);
}

/** Validates an international number `digits` (country code first) against the calling-code table. */
function internationalOk(digits: string): boolean {
  if (digits.length < 8 || digits.length > 15) return false;
  for (const len of [1, 2, 3]) {
    const range = CALLING_CODES[digits.slice(0, len)];
    if (!range) continue;
    const national = digits.slice(len);
    if (len === 1 && digits[0] === '1') return national.length === 10 && nanpOk(national.slice(0, 3), national.slice(3, 6));
    // Italy keeps the leading 0 of landlines after +39; elsewhere a 0 after the country code is a trunk prefix typed by mistake.
    return national.length >= range[0] && national.length <= range[1] && (national[0] !== '0' || digits.startsWith('39'));
  }
  return false;
}

/**
 * Whether `raw` (a candidate with digits and `+ ( ) . -` or spaces) is a phone number. International
 * forms (`+CC` or `00CC`) are checked against country lengths; national forms must be NANP-shaped or,
 * next to a phone keyword (`context`), a trunk-prefixed national number.
 */
export function isPlausiblePhone(raw: string, context: boolean): boolean {
  // Every accepted form has at least 8 digits (international 8+, NANP 10, national 9+): most candidates stop here.
  let digitCount = 0;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) digitCount++;
  if (digitCount < 8) return false;
  const s = /\s\s|^\s|\s$|[^\S ]/.test(raw) ? raw.replace(/\s+/g, ' ').trim() : raw;
  if (DATE_LIKE.test(s.charCodeAt(0) === 43 ? s.slice(1) : s)) return false;
  // Mixed separators such as `1.5-2` read as arithmetic or ranges, not phone numbers.
  let sep = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 45 || c === 46 || c === 47) {
      if (sep !== 0 && sep !== c) return false;
      sep = c;
    }
  }
  if (s.startsWith('+') || /^00[1-9]/.test(s)) {
    const cleaned = s.replace(/\(0\)/, '');
    const digits = cleaned.replace(/\D/g, '').replace(/^00/, '');
    // Every group must be short: long unbroken runs after a country code are ids, not dialable numbers.
    if (!context && cleaned.replace(/^\+/, '').split(/[ ().-]+/).some((g) => g.length > 10)) return false;
    return internationalOk(digits);
  }
  const nanp = NANP.exec(s);
  if (nanp) return nanpOk(nanp[1] ?? nanp[2], nanp[4]);
  const digits = s.replace(/\D/g, '');
  if (TRUNK_NATIONAL.test(s) && digits.length >= 10 && digits.length <= 11 && !s.includes('.')) return true;
  if (!context) return false;
  if (/^\d{10}$/.test(s)) return nanpOk(s.slice(0, 3), s.slice(3, 6));
  return /^\(?0\d/.test(s) && digits.length >= 9 && digits.length <= 12;
}
