// Rule target-base-url-missing: a target of another provider with no base_url would be sent to OpenAI, with that provider's key.
import type { Rule } from '../rule.js';

/** target-base-url-missing */
export const targetBaseUrlMissing: Rule = {
  id: 'target-base-url-missing',
  meta: {
    summary: 'A target whose provider is not openai has no base_url, so its requests and its key would go to api.openai.com.',
    defaultSeverity: 'error',
    docs: 'docs/rules/target-base-url-missing.md',
  },
  check({ data }) {
    return (data.providers?.targets ?? []).flatMap((t, i) => {
      if (typeof t.provider !== 'string' || t.base_url !== undefined) return [];
      const provider = t.provider.split(':')[0];
      if (provider.toLowerCase() === 'openai') return [];
      const env = (t.secret_key_ref as { env?: unknown } | undefined)?.env;
      const key = typeof env === 'string' ? `its key (${env})` : 'its key';
      return [
        {
          path: ['providers', 'targets', i, 'provider'],
          message: `target "${String(t.id)}" has provider "${provider}" but no base_url: ktpack would send its requests and ${key} to https://api.openai.com/v1`,
          hint: `set base_url to the ${provider} OpenAI-compatible endpoint (ktpack speaks the OpenAI wire format only)`,
        },
      ];
    });
  },
};
