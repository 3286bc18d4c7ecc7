// Validates pack data against schemas/policy-config.schema.json and turns ajv errors into readable diagnostics.
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { DOCS_BASE, didYouMean, formatPath, type Diagnostic, type JsonPath } from '../diagnostics.js';
import { maskSecrets, SECRET_KEY_NAMES } from '../lint/secrets.js';
import type { PackDocument } from '../load/document.js';
import { loadSchema, referencedSchemas } from '../schemas.js';

/** Which of the two documented top-level shapes a document is. */
export type DocumentShape = 'ConfigDocument' | 'SinglePolicyDocument';

type Validators = Record<DocumentShape, ValidateFunction>;

/**
 * Validators precompiled by scripts/build-validators.mjs when ktpack is built (a CommonJS file in
 * dist/generated, required synchronously), so a cold `ktpack lint` does not spend hundreds of
 * milliseconds compiling schemas. Absent when running from source (tests), where the schemas are
 * compiled on first use instead.
 */
const precompiled = loadPrecompiled();

function loadPrecompiled(): Validators | undefined {
  const require = createRequire(import.meta.url);
  // From dist/validate/, and from the bundled entries (dist/lint-cli.cjs, dist/build-cli.mjs) one level higher.
  for (const rel of ['../generated/pack-validators.cjs', './generated/pack-validators.cjs']) {
    try {
      return require(rel) as Validators;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return undefined;
}
let compiled: Validators | undefined = precompiled;

/** Compiles the validators with ajv at run time; options must match scripts/build-validators.mjs. */
function compileValidators(): Validators {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const formats = require('ajv-formats') as { default: (ajv: InstanceType<typeof Ajv2020>) => void };
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
  formats.default(ajv);
  for (const schema of referencedSchemas()) ajv.addSchema(schema);
  ajv.addSchema(loadSchema('policy-config.schema.json'));
  const id = 'https://ktpack.dev/schemas/policy-config.schema.json';
  return {
    ConfigDocument: ajv.compile({ $ref: `${id}#/$defs/ConfigDocument` }),
    SinglePolicyDocument: ajv.compile({ $ref: `${id}#/$defs/SinglePolicyDocument` }),
  };
}

/** The validator of one document shape (compiled once per process unless precompiled). */
function shapeValidator(shape: DocumentShape): ValidateFunction {
  compiled ??= compileValidators();
  return compiled[shape];
}

/** True when the validators were precompiled at build time (reported by the bench). */
export function usesPrecompiledValidators(): boolean {
  return precompiled !== undefined;
}

/**
 * Picks the shape by its discriminating keys, so a broken document gets the errors of the shape
 * it was meant to be rather than a `oneOf` flood: no `pack`/`policies` and `policy.name` present
 * means a stand-alone policy file.
 */
export function documentShape(data: unknown): DocumentShape {
  if (!isObject(data) || 'pack' in data || 'policies' in data) return 'ConfigDocument';
  const policy = data.policy;
  return isObject(policy) && typeof policy.name === 'string' ? 'SinglePolicyDocument' : 'ConfigDocument';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return Object.prototype.toString.call(v) === '[object Object]';
}

/** Schema diagnostics for a parsed pack; one diagnostic per mistake. */
export function validateSchema(doc: PackDocument): Diagnostic[] {
  const docsUrl = `${DOCS_BASE}/diagnostics.md#schema`;
  if (!isObject(doc.data)) {
    return [
      {
        code: 'schema/wrong-type',
        severity: 'error',
        message: `a pack must be a mapping with \`pack\` and \`policies\`, got ${typeName(doc.data)}`,
        source: doc.source,
        path: [],
        range: doc.rangeOf([], 'value'),
        docsUrl,
      },
    ];
  }
  const validate = shapeValidator(documentShape(doc.data));
  if (validate(doc.data)) return [];
  const errors = collapseAlternatives(doc.data, validate.errors ?? []);
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
  return dropMisspelledRequired(out);
}

/**
 * A misspelled required key shows up twice (unknown "nmae", missing "name"); the unknown-key
 * diagnostic already names the fix, so the missing-key one at the same object is dropped.
 */
function dropMisspelledRequired(diagnostics: Diagnostic[]): Diagnostic[] {
  const renamed = new Set(
    diagnostics
      .filter((d) => d.code === 'schema/unknown-key' && d.hint?.startsWith('rename to "'))
      .map((d) => `${formatPath(d.path.slice(0, -1))}|${/rename to "([^"]+)"/.exec(d.hint ?? '')?.[1]}`),
  );
  return diagnostics.filter((d) => !(d.code === 'schema/missing-key' && renamed.has(`${formatPath(d.path)}|${/"([^"]+)"/.exec(d.message)?.[1]}`)));
}

/**
 * Replaces each `anyOf`/`oneOf` failure and its branch errors by the errors of the one branch
 * the value was evidently meant for (its type matches), or by one wrong-type error naming the
 * accepted types. One mistake, one diagnostic.
 */
function collapseAlternatives(data: unknown, errors: ErrorObject[]): ErrorObject[] {
  const summaries = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (summaries.length === 0) return errors;
  const drop = new Set<ErrorObject>();
  const add: ErrorObject[] = [];
  for (const summary of summaries) {
    if (drop.has(summary)) continue;
    const prefix = `${summary.schemaPath}/`;
    const branchErrors = errors.filter((e) => e !== summary && e.schemaPath.startsWith(prefix));
    for (const e of branchErrors) drop.add(e);
    drop.add(summary);
    const branches = new Map<string, ErrorObject[]>();
    for (const e of branchErrors) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0];
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    // A branch whose only complaint is not a type mismatch at the value itself is the intended one.
    const intended = [...branches.values()].find(
      (errs) => !errs.some((e) => e.keyword === 'type' && e.instancePath === summary.instancePath),
    );
    if (intended) {
      add.push(...intended);
      continue;
    }
    const types = [...branches.values()].flatMap((errs) =>
      errs.filter((e) => e.keyword === 'type' && e.instancePath === summary.instancePath).map((e) => String((e.params as { type: string }).type)),
    );
    add.push({ ...summary, keyword: 'type', params: { type: [...new Set(types)].join(',') } });
  }
  void data;
  return [...errors.filter((e) => !drop.has(e)), ...add];
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

function typeName(value: unknown, path: JsonPath = []): string {
  if (value === null) return 'null';
  // Never echo a value that sits under a credential key: it may be the credential (a numeric PIN or token too).
  if (typeof value !== 'object' && path.some((seg) => typeof seg === 'string' && (seg === 'secret_key_ref' || SECRET_KEY_NAMES.has(seg.toLowerCase())))) return `a ${typeof value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${maskSecrets(JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value))}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * A number as the user wrote it (`version: 1.0` reads as the number 1, which would be a confusing
 * thing to echo), or undefined for anything else or anything under a credential key.
 */
function numberAsWritten(doc: PackDocument, path: JsonPath): string | undefined {
  const value = valueAt(doc.data, path);
  if (typeof value !== 'number' || typeName(value, path) !== `number ${String(value)}`) return undefined;
  const { start, end } = doc.rangeOf(path, 'value');
  if (start.line !== end.line) return undefined;
  const line = doc.text.replace(/^\ufeff/, '').split(/\r?\n/)[start.line - 1] ?? '';
  const written = line.slice(start.column - 1, end.column - 1).trim();
  return /^[-+.0-9a-zA-Z_]{1,40}$/.test(written) ? `number ${written}` : undefined;
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
        hint: (Object.hasOwn(LEGACY_KEYS, formatPath(keyPath)) ? LEGACY_KEYS[formatPath(keyPath)] : undefined) ?? (suggestion ? `rename to "${suggestion}"` : `allowed keys: ${known.join(', ')}`),
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
      const expected = String((err.params as { type: string }).type)
        .split(',')
        .map(article)
        .join(' or ');
      const legacy = formatPath(path) === 'policies' && Array.isArray(valueAt(doc.data, path));
      const hint = legacy
        ? 'the list form of `policies` is the legacy tutorial schema; write `policies: {chain: [kind, ...]}` and settings under `policy.<kind>`'
        : typeHint(String((err.params as { type: string }).type).split(','), valueAt(doc.data, path), path, numberAsWritten(doc, path));
      return {
        ...(hint ? { hint } : {}),
        ...base,
        code: 'schema/wrong-type',
        message: `${where} must be ${expected}, got ${numberAsWritten(doc, path) ?? typeName(valueAt(doc.data, path), path)}`,
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
        message: `${where} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${typeName(actual, path)}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
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

/** A fix for the usual wrong-type mistakes: quoted numbers, a comma-separated string for a list, `secret_key_ref: NAME`. */
function typeHint(expected: string[], value: unknown, path: JsonPath, written?: string): string | undefined {
  const last = path[path.length - 1];
  if (last === 'secret_key_ref' && typeof value === 'string') return 'use the object form: `secret_key_ref: {env: NAME}` (or `{store: NAME}`)';
  const secret = path.some((seg) => typeof seg === 'string' && SECRET_KEY_NAMES.has(seg.toLowerCase()));
  // YAML reads 1.0, 2 and yes/true as a number or a boolean: quoting keeps the text (never echoed for a secret).
  if (expected.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    if (secret) return 'quote the value (and move it out of the file: use secret_key_ref)';
    const text = written?.replace(/^number /, '') ?? String(value);
    if (formatPath(path) === 'pack.version') return `quote it; a pack version is a semantic version: version: "${/^\d+$/.test(text) ? `${text}.0.0` : /^\d+\.\d+$/.test(text) ? `${text}.0` : text}"`;
    return `quote it: "${text}"`;
  }
  if (typeof value !== 'string') return undefined;
  if (secret) return undefined;
  if ((expected.includes('number') || expected.includes('integer')) && value.trim() !== '' && Number.isFinite(Number(value))) return 'remove the quotes: numbers are written bare';
  if (expected.includes('boolean') && /^(true|false)$/i.test(value.trim())) return `remove the quotes: write ${value.trim().toLowerCase()}`;
  if (expected.includes('array')) {
    // A regex may contain commas ({1,3}); only plain names are split.
    if (/[\\{}()[\]|*+?^$]/.test(value)) return `write a YAML list: ['${value.length > 40 ? `${value.slice(0, 40)}…` : value}']`;
    const items = value.split(',').map((v) => v.trim()).filter(Boolean);
    return `write a YAML list: [${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''}]`;
  }
  return undefined;
}

/** Keys of the legacy tutorial schema, with what to write instead. */
const LEGACY_KEYS: Record<string, string> = {
  version: 'top-level `version` belongs to the legacy tutorial schema; the pack version is `pack.version`',
  input_policies: 'the legacy tutorial schema; list kinds in `policies.chain` (request-side kinds act on input)',
  output_policies: 'the legacy tutorial schema; list kinds in `policies.chain` (response-side kinds act on output)',
  consumer_groups: 'the legacy tutorial schema; ktpack has no consumer groups (use `agents` or rate-limit sections)',
  rate_limit_defaults: 'the legacy tutorial schema; use `global_rate_limit` and friends',
};

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
      return err.instancePath.endsWith('/secret_key_ref') ? 'takes exactly one of `env` or `store`, not both' : `must have at most ${p.limit} key(s)`;
    case 'uniqueItems':
      return `must not repeat items (items ${p.j} and ${p.i} are equal)`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return 'is not valid here';
  }
}
