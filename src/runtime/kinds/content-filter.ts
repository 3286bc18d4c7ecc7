// Run half of content-filter: finds restricted categories and custom terms in requests or responses; blocks, warns or redacts.
import { compileTerms, findContent, type ContentMatch } from '../detectors/content.js';
import { scanRegex, type RunKind } from '../step.js';
import type { ContentFilterOptions, ContentFilterStep, Redaction } from '../types.js';

interface Compiled {
  categories: string[];
  terms: RegExp | null;
  patterns: RegExp[];
}

const compiled = new WeakMap<object, Compiled>();

function rules(options: ContentFilterOptions): Compiled {
  let c = compiled.get(options);
  if (!c) {
    // The build checked every pattern; one that does not compile here is a broken IR, never silently skipped.
    c = { categories: options.categories, terms: compileTerms(options.blockedTerms), patterns: options.blockedPatterns.map(scanRegex) };
    compiled.set(options, c);
  }
  return c;
}

/** content-filter step. */
export const contentFilter: RunKind<ContentFilterStep> = {
  id: 'content-filter',
  step(node, view) {
    const applyTo = node.options.applyTo;
    if ((view.phase === 'request' && applyTo === 'output') || (view.phase === 'response' && applyTo === 'input')) return { type: 'continue' };
    const r = rules(node.options);
    const hits: Array<{ slot: number; match: ContentMatch }> = [];
    view.slots.forEach((slot, i) => {
      for (const match of findContent(slot.text, { categories: r.categories, patterns: r.patterns }, r.terms)) hits.push({ slot: i, match });
    });
    if (hits.length === 0) return { type: 'continue' };
    const categories = [...new Set(hits.map((h) => h.match.category))].sort();
    const where = [...new Set(hits.map((h) => view.slots[h.slot].path))].slice(0, 5).join(', ');
    const code = `content_filter.${categories[0]}`;
    const side = view.phase === 'request' ? 'Request' : 'Response';
    // The message names categories and places, never the matched words.
    const detail = `${categories.join(', ')} in ${where}`;
    if (node.action === 'block') return { type: 'block', code, message: `${side} blocked: restricted content (${detail})` };
    if (node.action === 'warn') return { type: 'warn', code, message: `Restricted content (${detail})` };
    const edits = new Map<number, string>();
    const redactions: Redaction[] = [];
    view.slots.forEach((slot, i) => {
      const mine = hits.filter((h) => h.slot === i);
      if (mine.length === 0) return;
      let out = '';
      let last = 0;
      for (const { match } of mine) {
        const marker = `[${match.category.toUpperCase()}]`;
        out += slot.text.slice(last, match.start) + marker;
        last = match.end;
        redactions.push({ entity: match.category.toUpperCase(), policy: node.policy, path: slot.path, start: match.start, end: match.end, marker });
      }
      edits.set(i, out + slot.text.slice(last));
    });
    return { type: 'transform', code, message: `Redacted restricted content (${detail})`, edits, redactions };
  },
};
