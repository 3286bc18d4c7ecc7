// Types only, for services that read packs or decisions: `import type { PolicyConfig } from 'ktpack/types'`.
// Unlike the main entry, nothing here refers to Node.js types, so a consumer needs no @types/node.
export type * from './generated/policy-config.js';
export type { PolicyIr, Decision, ChatRequest, ChatResponse, Reason, Redaction, PolicyResult } from './runtime/types.js';
export type { Diagnostic, Severity, Range, Position, JsonPath } from './diagnostics.js';
