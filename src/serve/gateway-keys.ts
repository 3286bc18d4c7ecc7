// Inbound gateway and admin keys, stored as SHA-256 hashes; constant-time comparison.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A set of accepted key hashes. */
export class KeySet {
  private readonly hashes: Buffer[];

  constructor(hexHashes: readonly string[]) {
    this.hashes = hexHashes.map((h) => Buffer.from(h, 'hex'));
  }

  /** Number of keys. */
  get size(): number {
    return this.hashes.length;
  }

  /** True when `key` hashes to one of the stored hashes. */
  accepts(key: string | undefined): boolean {
    if (!key) return false;
    const h = createHash('sha256').update(key).digest();
    let ok = false;
    // Compare against every hash so timing does not reveal which one matched.
    for (const stored of this.hashes) if (stored.length === h.length && timingSafeEqual(stored, h)) ok = true;
    return ok;
  }
}

/** SHA-256 hex of a key, the form key files store. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Reads a key file: one `sha256:<64 hex>` (or bare hex) per line; `#` comments and blank lines ignored.
 * Throws with the line number on anything else, so a raw key pasted by mistake is refused, not used.
 */
export async function readKeyFile(path: string): Promise<KeySet> {
  const text = await readFile(path, 'utf8');
  const hashes: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const m = /^(?:sha256:)?([0-9a-fA-F]{64})(?:\s+\S.*)?$/.exec(line);
    if (!m) throw new Error(`${path}:${i + 1}: expected "sha256:<64 hex digits>" (store hashes, not keys; hash with: printf %s "$KEY" | sha256sum)`);
    hashes.push(m[1].toLowerCase());
  });
  return new KeySet(hashes);
}

/** The bearer token of an Authorization header (or an `api-key` header), if any. */
export function bearerOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  const v = Array.isArray(auth) ? auth[0] : auth;
  const m = v ? /^Bearer\s+(.+)$/i.exec(v.trim()) : null;
  if (m) return m[1];
  const k = headers['api-key'];
  return Array.isArray(k) ? k[0] : k;
}
