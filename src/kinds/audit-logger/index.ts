// Build half of audit-logger: metadata, options schema and lowering to the IR's audit settings.
import { loadSchema, withDefaults } from '../../schemas.js';
import type { KindDefinition } from '../types.js';

/** audit-logger kind. */
export const auditLoggerKind: KindDefinition = {
  id: 'audit-logger',
  meta: {
    summary: 'Writes one append-only, hash-chained audit record per request.',
    phase: 'none',
    actions: ['log'],
    docs: 'docs/kinds/audit-logger.md',
  },
  schemaFile: 'kinds/audit-logger.schema.json',
  lower(options) {
    const o = withDefaults(loadSchema(this.schemaFile), options);
    return {
      audit: {
        immutable: o.immutable as boolean,
        retentionDays: o.retention_days as number,
        logAllAccess: o.log_all_access as boolean,
        durable: o.durable as boolean,
        hmacKeyEnv: typeof o.hmac_key_env === 'string' ? o.hmac_key_env : null,
      },
    };
  },
};
