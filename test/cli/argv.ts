/**
 * Command lines as data: `argv('approve', runId, { as: 'dave', json: true })` is
 * `['approve', runId, '--as', 'dave', '--json']`. Strings are positional arguments, in order. The flags objects are
 * merged, later keys winning, so that a test spreads shared flags and states only what differs; each key is a flag
 * (camelCase for --kebab-case), `true` a bare flag, an array a repeated one, and `false` or `undefined` leaves it out.
 */
export type Flags = Record<string, string | boolean | readonly string[] | undefined>;

export function argv(...parts: Array<string | Flags>): string[] {
  const positional = parts.filter((p): p is string => typeof p === 'string');
  const flags: Flags = Object.assign({}, ...parts.filter((p) => typeof p !== 'string'));
  return [...positional, ...Object.entries(flags).flatMap(([key, value]) => flagArgs(key, value))];
}

function flagArgs(key: string, value: Flags[string]): string[] {
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (value === undefined || value === false) return [];
  if (value === true) return [flag];
  if (typeof value === 'string') return [flag, value];
  return value.flatMap((v) => [flag, v]);
}
