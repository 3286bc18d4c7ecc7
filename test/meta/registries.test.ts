// Keeps registries, schemas, docs and tests in agreement: a kind, rule or command cannot be half-added.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { FORMATTERS } from '../../src/formatters/index.js';
import { FORMAT_NAMES } from '../../src/formatters/names.js';
import { KINDS } from '../../src/kinds/index.js';
import { RULES } from '../../src/lint/rules/index.js';
import { RUN_KINDS } from '../../src/runtime/kinds/index.js';
import { ROOT } from '../helpers/cli.js';
// @ts-expect-error plain ESM script without types
import { renderKindDoc } from '../../scripts/generate-kind-docs.mjs';

const sorted = (ids: string[]): string[] => [...ids].sort();
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');

describe('kind registry', () => {
  const ids = KINDS.map((k) => k.id);

  it('is sorted, and every src/kinds folder is registered', () => {
    expect(ids).toEqual(sorted(ids));
    const folders = readdirSync(join(ROOT, 'src/kinds'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(sorted(folders)).toEqual(ids);
  });

  it('every kind has its options schema, its place in the pack schema and a generated doc page that is up to date', () => {
    const pack = JSON.parse(read('schemas/policy-config.schema.json')) as { $defs: { ConfigDocument: { properties: { policy: { properties: Record<string, { $ref?: string }> } } } } };
    const policyMap = pack.$defs.ConfigDocument.properties.policy.properties;
    for (const kind of KINDS) {
      expect(kind.schemaFile, kind.id).toBe(`kinds/${kind.id}.schema.json`);
      const schema = JSON.parse(read(`schemas/${kind.schemaFile}`));
      expect(schema.$id, kind.id).toBe(`https://ktpack.dev/schemas/kinds/${kind.id}.schema.json`);
      expect(policyMap[kind.id]?.$ref, kind.id).toBe(`kinds/${kind.id}.schema.json`);
      expect(read(`docs/kinds/${kind.id}.md`), `docs/kinds/${kind.id}.md is stale: run node scripts/generate-kind-docs.mjs`).toBe(renderKindDoc(kind, schema));
      expect(kind.meta.docs).toBe(`docs/kinds/${kind.id}.md`);
    }
  });

  it('every schema file under schemas/kinds belongs to a registered kind', () => {
    const files = readdirSync(join(ROOT, 'schemas/kinds')).filter((f) => f.endsWith('.schema.json'));
    expect(sorted(files.map((f) => f.replace('.schema.json', '')))).toEqual(ids);
  });

  it('every kind that acts on traffic has a run half, and every run half a kind', () => {
    const acting = KINDS.filter((k) => k.meta.phase !== 'none').map((k) => k.id);
    const runIds = RUN_KINDS.map((k) => k.id);
    expect(runIds).toEqual(sorted(runIds));
    expect(runIds).toEqual(sorted(acting));
  });
});

describe('rule registry', () => {
  const ids = RULES.map((r) => r.id);
  it('is sorted and matches the files in src/lint/rules', () => {
    expect(ids).toEqual(sorted(ids));
    const files = readdirSync(join(ROOT, 'src/lint/rules')).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
    expect(sorted(files.map((f) => f.replace(/\.ts$/, '')))).toEqual(ids);
  });

  it('every rule has a doc page and table tests', () => {
    const cases = read('test/lint/rule-cases.ts');
    for (const rule of RULES) {
      expect(existsSync(join(ROOT, `docs/rules/${rule.id}.md`)), rule.id).toBe(true);
      expect(rule.meta.docs, rule.id).toBe(`docs/rules/${rule.id}.md`);
      expect(cases, `test/lint/rule-cases.ts has no cases for ${rule.id}`).toContain(`'${rule.id}'`);
    }
  });
});

describe('format registry', () => {
  it('has one formatter for each name the CLI offers (FORMAT_NAMES, kept apart so help loads no formatter)', () => {
    expect(FORMATTERS.map((f) => f.name)).toEqual([...FORMAT_NAMES]);
    expect([...FORMAT_NAMES]).toEqual(sorted([...FORMAT_NAMES]));
  });
});

describe('command registry', () => {
  it('is sorted and every command is in the README', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names).toEqual(sorted(names));
    const readme = read('README.md');
    for (const name of names) expect(readme, `README does not mention ktpack ${name}`).toContain(`ktpack ${name}`);
  });

  it('README shell examples run ktpack through npx (a fresh clone has no ktpack on PATH)', () => {
    const blocks = [...read('README.md').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(0);
    const bare = blocks.flatMap((b) => b.split('\n')).filter((line) => /^\s*ktpack\s/.test(line));
    expect(bare).toEqual([]);
  });
});
