// The CLI's view of the outside world, injected so commands stay testable.
import type { Readable, Writable } from 'node:stream';

/** Streams, environment and working directory of a CLI run. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin?: Readable;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Exit codes CI can trust. */
export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;

/** A usage or I/O problem: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}
