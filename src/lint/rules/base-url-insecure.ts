// Rule base-url-insecure: an http:// upstream off this machine sends prompts and the API key in clear text.
import type { Rule } from '../rule.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

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
      if (typeof t.base_url !== 'string') return [];
      let url: URL;
      try {
        url = new URL(t.base_url);
      } catch {
        return [];
      }
      if (url.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return [];
      return [{ path: ['providers', 'targets', i, 'base_url'], message: `base_url uses plain http to ${url.hostname}; prompts and the upstream key travel unencrypted`, hint: 'use https://' }];
    });
  },
};
