// Built-in PII and secret detectors: pure functions from text to entity spans.

/** A detected span in a text. Offsets are UTF-16 code units, end exclusive. */
export interface PiiSpan {
  entity: string;
  start: number;
  end: number;
}

/** A detector for one entity type. */
interface EntityDetector {
  entity: string;
  pattern: RegExp;
  /** Extra validation of a match (checksum, issued ranges); false drops it. */
  validate?: (match: string) => boolean;
  /** A character every match contains: texts without it skip the regex (cheap prefilter). */
  requires?: string;
}

/** Every entity the built-in detectors know, sorted. */
export const BUILTIN_ENTITIES = ['CREDIT_CARD', 'EMAIL', 'PHONE', 'SSN'] as const;

const DETECTORS: EntityDetector[] = [
  {
    entity: 'EMAIL',
    requires: '@',
    pattern: /(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g,
  },
  {
    entity: 'CREDIT_CARD',
    pattern: /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g,
    validate: (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhn(digits) && /^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5)|35)/.test(digits);
    },
  },
  {
    entity: 'SSN',
    pattern: /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/g,
    validate: (m) => {
      const [area, group, serial] = m.split('-');
      return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
    },
  },
  {
    entity: 'PHONE',
    pattern: /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)|\d{3})[ .-]\d{3}[ .-]\d{4}(?!\d)/g,
  },
];

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

/**
 * Finds entity spans in `text`. Overlapping spans are resolved in favour of the earlier,
 * then longer, span; the result is sorted by start offset.
 */
export function findPii(text: string, entities: readonly string[]): PiiSpan[] {
  const wanted = new Set(entities);
  const spans: PiiSpan[] = [];
  for (const det of DETECTORS) {
    if (!wanted.has(det.entity)) continue;
    if (det.requires && !text.includes(det.requires)) continue;
    det.pattern.lastIndex = 0;
    for (const m of text.matchAll(det.pattern)) {
      if (det.validate && !det.validate(m[0])) continue;
      spans.push({ entity: det.entity, start: m.index!, end: m.index! + m[0].length });
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiSpan[] = [];
  let lastEnd = -1;
  for (const s of spans) {
    if (s.start >= lastEnd) {
      out.push(s);
      lastEnd = s.end;
    }
  }
  return out;
}
