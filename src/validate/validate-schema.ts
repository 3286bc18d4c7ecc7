// Validates pack data against schemas/policy-config.schema.json and turns ajv errors into readable diagnostics.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DOCS_BASE, didYouMean, formatPath, type Diagnostic, type JsonPath } from '../diagnostics.js';
import type { PackDocument } from '../load/document.js';
import { loadSchema, referencedSchemas } from '../schemas.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

let validator: ValidateFunction | undefined;

/** The compiled pack validator (compiled once per process). */
function packValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    for (const schema of referencedSchemas()) ajv.addSchema(schema);
    validator = ajv.compile(loadSchema('policy-config.schema.json'));
  }
  return validator;
}

/** Schema diagnostics for a parsed pack; one diagnostic per mistake. */
export function validateSchema(doc: PackDocument): Diagnostic[] {
  const validate = packValidator();
  if (validate(doc.data)) return [];
  const errors = validate.errors ?? [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    const d = toDiagnostic(doc, err);
    if (!d) continue;
    const key = `${formatPath(d.path)}|${d.code}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** Splits an ajv instancePath into a JSON path, numbering array indexes. */
function pointerToPath(data: unknown, pointer: string): Array<string | number> {
  if (pointer === '') return [];
  const out: Array<string | number> = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(seg);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: JsonPath): unknown {
  let node = data;
  for (const seg of path) node = (node as Record<string | number, unknown> | undefined)?.[seg];
  return node;
}

function toDiagnostic(doc: PackDocument, err: ErrorObject): Diagnostic | undefined {
  const path = pointerToPath(doc.data, err.instancePath);
  const where = formatPath(path) || 'the document';
  const base = { severity: 'error' as const, source: doc.source };
  const docsUrl = `${DOCS_BASE}/diagnostics.md#schema`;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys(((err.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      const suggestion = didYouMean(key, known);
      const keyPath = [...path, key];
      return {
        ...base,
        code: 'schema/unknown-key',
        message: `unknown key "${key}" in ${where}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        path: keyPath,
        range: doc.rangeOf(keyPath, 'key'),
        docsUrl,
        ...(suggestion ? { hint: `rename to "${suggestion}"` } : { hint: `allowed keys: ${known.join(', ')}` }),
      };
    }
    case 'required': {
      const key = String((err.params as { missingProperty: string }).missingProperty);
      return {
        ...base,
        code: 'schema/missing-key',
        message: `missing required key "${key}" in ${where}`,
        path,
        range: doc.rangeOf(path, 'key'),
        docsUrl,
      };
    }
    case 'type': {
      const expected = String((err.params as { type: string }).type).replace(/,/g, ' or ');
      return {
        ...base,
        code: 'schema/wrong-type',
        message: `${where} must be ${article(expected)}, got ${typeName(valueAt(doc.data, path))}`,
        path,
        range: doc.rangeOf(path, 'value'),
        docsUrl,
      };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      const actual = valueAt(doc.data, path);
      const suggestion = typeof actual === 'string' ? didYouMean(actual, allowed.map(String)) : undefined;
      return {
        ...base,
        code: 'schema/not-allowed',
        message: `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${typeName(actual)}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
        path,
        range: doc.rangeOf(path, 'value'),
        docsUrl,
      };
    }
    case 'if':
    case 'oneOf':
    case 'anyOf':
      // The branch errors carry the specific problem; the summary error adds nothing.
      return undefined;
    default: {
      return {
        ...base,
        code: `schema/${err.keyword.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        message: `${where} ${readable(err)}`,
        path,
        range: doc.rangeOf(path, 'value'),
        docsUrl,
      };
    }
  }
}

function article(word: string): string {
  if (word === 'object') return 'a mapping';
  if (word === 'array') return 'a list';
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function readable(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters long`;
    case 'maxLength':
      return `must be at most ${p.limit} characters long`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${p.comparison} ${p.limit}`;
    case 'pattern':
      return err.instancePath.endsWith('/version') ? 'must be a SemVer version like 1.0.0' : `must match the pattern ${p.pattern}`;
    case 'format':
      return `must be a valid ${p.format}`;
    case 'minItems':
      return `must have at least ${p.limit} item(s)`;
    case 'maxItems':
      return `must have at most ${p.limit} item(s)`;
    case 'minProperties':
      return `must have at least ${p.limit} key(s)`;
    case 'maxProperties':
      return `must have at most ${p.limit} key(s)`;
    case 'uniqueItems':
      return `must not repeat items (items ${p.j} and ${p.i} are equal)`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return 'is not valid here';
  }
}
