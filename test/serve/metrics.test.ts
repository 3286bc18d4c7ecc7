import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/serve/metrics.js';

const lines = (m: Metrics, name: string): string[] => m.render().split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('Metrics', () => {
  it('adds up per label set, renders labels sorted and escaped, and keeps label sets that differ apart', () => {
    const m = new Metrics();
    m.inc('ktpack_requests_total', { verdict: 'allow', route: '/v1/chat/completions', status: '200' });
    m.inc('ktpack_requests_total', { status: '200', route: '/v1/chat/completions', verdict: 'allow' }, 2);
    m.inc('ktpack_requests_total', { route: '/v1/chat/completions', verdict: 'block', status: '403' });
    // Values that would run together if joined naively stay separate series.
    m.inc('ktpack_cost_usd_total', { model: 'a"b', team: 'c', project: '' }, 1);
    m.inc('ktpack_cost_usd_total', { model: 'a', team: '"bc', project: '' }, 2);
    m.inc('ktpack_cost_usd_total', { model: 'x\\y\nz', team: '', project: 'p' }, 3);
    m.inc('ktpack_tokens_total', { model: 'm', direction: 'input' }, 5);
    m.inc('ktpack_tokens_total', { model: 'm', direction: 'input', team: '' }, 7);
    m.inc('ktpack_fail_open_total');
    m.inc('ktpack_fail_open_total', undefined, 2);
    m.inc('ktpack_requests_total', { route: 'r', verdict: 'v', status: 's' }, Number.NaN);
    expect(lines(m, 'ktpack_requests_total')).toEqual([
      'ktpack_requests_total{route="/v1/chat/completions",status="200",verdict="allow"} 3',
      'ktpack_requests_total{route="/v1/chat/completions",status="403",verdict="block"} 1',
    ]);
    expect(lines(m, 'ktpack_cost_usd_total')).toEqual([
      'ktpack_cost_usd_total{model="a\\"b",project="",team="c"} 1',
      'ktpack_cost_usd_total{model="a",project="",team="\\"bc"} 2',
      'ktpack_cost_usd_total{model="x\\\\y\\nz",project="p",team=""} 3',
    ]);
    expect(lines(m, 'ktpack_tokens_total')).toEqual(['ktpack_tokens_total{direction="input",model="m"} 5', 'ktpack_tokens_total{direction="input",model="m",team=""} 7']);
    expect(lines(m, 'ktpack_fail_open_total')).toEqual(['ktpack_fail_open_total 3']);
  });

  it('collapses label sets past 1,000 series into one other series, and keeps counting the known ones', () => {
    const m = new Metrics();
    for (let i = 0; i < 1000; i++) m.inc('ktpack_redactions_total', { entity: `E${i}` });
    m.inc('ktpack_redactions_total', { entity: 'new-1' });
    m.inc('ktpack_redactions_total', { entity: 'new-2' }, 2);
    m.inc('ktpack_redactions_total', { entity: 'E7' }, 4);
    const out = lines(m, 'ktpack_redactions_total');
    expect(out).toHaveLength(1001);
    expect(out).toContain('ktpack_redactions_total{overflow="other"} 3');
    expect(out).toContain('ktpack_redactions_total{entity="E7"} 5');
    expect(out.some((l) => l.includes('new-'))).toBe(false);
  });
});
