// The compiler's list of executable kinds (read without loading the detectors) must name exactly the runtime's run halves.
import { describe, expect, it } from 'vitest';
import { RUN_KIND_IDS } from '../../src/runtime/kinds/ids.js';
import { RUN_KINDS } from '../../src/runtime/kinds/index.js';

describe('RUN_KIND_IDS', () => {
  it('names exactly the kinds RUN_KINDS can run, in the same order', () => {
    expect([...RUN_KIND_IDS]).toEqual(RUN_KINDS.map((k) => k.id));
  });
});
