// Rule forward-client-key: forwarding the client's Authorization header sends end-user credentials to the provider.
import type { Rule } from '../rule.js';

/** forward-client-key */
export const forwardClientKey: Rule = {
  id: 'forward-client-key',
  meta: {
    summary: "A target forwards the client's own API key upstream (forward_client_key: true).",
    defaultSeverity: 'warning',
    docs: 'docs/rules/forward-client-key.md',
  },
  check({ data }) {
    return (data.providers?.targets ?? []).flatMap((t, i) =>
      t.forward_client_key === true
        ? [{ path: ['providers', 'targets', i, 'forward_client_key'], message: `target "${String(t.id)}" forwards each client's Authorization header to the provider; client keys leave your network and spend is not attributable to the gateway's key`, hint: 'prefer secret_key_ref; keep this only for pass-through deployments' }]
        : [],
    );
  },
};
