/** Times in the emulator are epoch milliseconds; on the wire they are Alibaba Cloud's ISO 8601 dates. */

export const DAY_MS = 86_400_000;

/** Alibaba Cloud's date format: ISO 8601 UTC, second precision. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
