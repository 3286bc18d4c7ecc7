// Build half of prompt-injection: metadata, semantic checks and lowering of the flat and sectioned forms to IR.
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition, KindFinding } from '../types.js';

/** prompt-injection kind. */
export const promptInjectionKind: KindDefinition = {
  id: 'prompt-injection',
  meta: {
    summary: 'Scores requests for instruction-override, jailbreak, prompt-extraction and hidden (encoded) injections.',
    phase: 'request',
    actions: ['block', 'warn', 'log'],
    docs: 'docs/kinds/prompt-injection.md',
  },
  schemaFile: 'kinds/prompt-injection.schema.json',
  check(options) {
    const findings: KindFinding[] = [];
    for (const [path, v] of [
      [['threshold'], options.threshold],
      [['embedding_threshold'], options.embedding_threshold],
      [['detection', 'embedding_threshold'], (options.detection as Record<string, unknown> | undefined)?.embedding_threshold],
    ] as const) {
      if (typeof v === 'number' && (v < 0 || v > 1)) findings.push({ path: [...path], code: 'threshold-range', message: `threshold must be between 0 and 1 (the score is in [0, 1]); got ${v}` });
    }
    const patterns = ((options.detection as Record<string, unknown> | undefined)?.attack_patterns as unknown[] | undefined) ?? [];
    patterns.forEach((p, i) => {
      if (typeof p !== 'string') return;
      try {
        new RegExp(p, 'iu');
      } catch (err) {
        findings.push({ path: ['detection', 'attack_patterns', i], code: 'invalid-regex', message: `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}` });
      }
    });
    return findings;
  },
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    const detection = (o.detection as Record<string, unknown> | undefined) ?? {};
    const encoding = (o.encoding as Record<string, unknown> | undefined) ?? {};
    const boundaries = (o.boundaries as Record<string, unknown> | undefined) ?? {};
    const response = (o.response as Record<string, unknown> | undefined) ?? {};
    // An explicit threshold wins; the documented embedding_threshold aliases apply when it is absent.
    const threshold = (options.threshold as number | undefined) ?? (detection.embedding_threshold as number | undefined) ?? (o.embedding_threshold as number | undefined) ?? (o.threshold as number);
    const step: Record<string, unknown> = {
      threshold,
      // Matched case-insensitively, with Unicode semantics (as the linter checks them).
      attackPatterns: ((detection.attack_patterns as string[] | undefined) ?? []).map((source) => ({ source, flags: 'iu' })),
      encoding: {
        decodeBase64: encoding.decode_base64 !== false,
        normalizeUnicode: encoding.normalize_unicode !== false,
        detectHomoglyphs: encoding.detect_homoglyphs !== false,
      },
      rejectFakeBoundaries: boundaries.reject_fake_boundaries !== false,
    };
    if (typeof response.message === 'string') step.message = response.message;
    return { step: { action: ((response.action as string | undefined) ?? o.action) as 'block' | 'warn' | 'log', options: step } };
  },
};
