/**
 * How the console writes times, durations and names: UTC everywhere (the audit trail and the Temporal UI use it
 * too), with the ISO time kept in each <time datetime> for machines.
 */

function utc(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** "4 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function since(iso: string | undefined, now = Date.now()): string {
  return iso ? duration(now - Date.parse(iso)) : '';
}

/** "Jane (HR) (hr-jane)", or the subject alone when the name is the subject. */
function who(subject: string | undefined, name?: string): string {
  if (!subject) return '';
  return name && name !== subject ? `${name} (${subject})` : subject;
}

export const format = { utc, duration, since, who };
export type Format = typeof format;
