/**
 * Query values read by the types the service documents for them (Boolean, Integer, Array of String), accepting every
 * form Alibaba's official SDKs put on the wire: the SDKs share one type model but render it differently. Node, Go and
 * Java send `true`/`false`; Python sends `True`/`False` (its `str()`); arrays of strings travel comma-joined (`simple`
 * style, what the generated CS clients use for `ClusterIds`) or as a JSON array (`json` style). The real service
 * accepts all of them, so the emulator must too. Each reader returns undefined for a value that is not of its type;
 * the products turn that into their own error (cs/params.ts, ram/params.ts).
 */

/** `true`/`false` in any letter case. */
export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** A decimal integer within the safe range. */
export function parseInteger(raw: string): number | undefined {
  if (!/^[+-]?\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** `a,b` or `["a","b"]`; empty items are dropped. */
export function parseList(raw: string): string[] | undefined {
  const v = raw.trim();
  if (v.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) return undefined;
    return (parsed as string[]).filter((s) => s !== '');
  }
  return v.split(',').filter((s) => s !== '');
}
