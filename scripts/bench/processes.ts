/**
 * The benchmark's view of the processes it runs: CPU seconds (user + system) and resident memory of a process and
 * all its descendants, read from /proc (Linux), so the figures name what the server, the worker and the emulator
 * each cost.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readStat(Number(d)))
    .filter((s): s is ProcStat => s !== undefined);
}

/** The pid and every descendant of it, now. */
function family(root: number, stats = allStats()): ProcStat[] {
  const members = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (!members.has(s.pid) && members.has(s.ppid)) {
        members.add(s.pid);
        grew = true;
      }
    }
  }
  return stats.filter((s) => members.has(s.pid));
}

/** CPU seconds used so far by the process and its descendants (exited children are not counted: keep them alive). */
export function cpuSeconds(root: number): number {
  return family(root).reduce((sum, s) => sum + s.cpuTicks, 0) / TICKS_PER_SECOND;
}

/** Resident memory of the process and its descendants, in MiB. */
export function rssMiB(root: number): number {
  let kib = 0;
  for (const s of family(root)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'));
      kib += m ? Number(m[1]) : 0;
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

/** Samples a process family's RSS every `everyMs` and keeps the peak. */
export function peakRss(root: number, everyMs = 250): { stop(): number } {
  let peak = rssMiB(root);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(root))), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(root));
    },
  };
}
