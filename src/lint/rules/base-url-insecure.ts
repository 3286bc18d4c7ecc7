// Rule base-url-insecure: an http:// upstream off this machine sends prompts and the API key in clear text.
import type { Rule } from '../rule.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

/** The host of a plain-http URL to a machine other than this one, else null (https, loopback, not a URL). `ktpack diff` asks the same. */
export function plainHttpHost(baseUrl: string): string | null {
  try {
    const url = new URL(baseUrl);
    return url.protocol === 'http:' && !LOOPBACK.test(url.hostname) ? url.hostname : null;
  } catch {
    return null;
  }
}

/** base-url-insecure */
export const baseUrlInsecure: Rule = {
  id: 'base-url-insecure',
  meta: {
    summary: 'A target base_url uses plain http:// to a host other than loopback.',
    defaultSeverity: 'warning',
    docs: 'docs/rules/base-url-insecure.md',
  },
  check({ data }) {
    return (data.providers?.targets ?? []).flatMap((t, i) => {
      const host = typeof t.base_url === 'string' ? plainHttpHost(t.base_url) : null;
      if (host === null) return [];
      return [{ path: ['providers', 'targets', i, 'base_url'], message: `base_url uses plain http to ${host}; prompts and the upstream key travel unencrypted`, hint: 'use https://' }];
    });
  },
};
