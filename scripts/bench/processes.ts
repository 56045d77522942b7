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

/** This process's own CPU seconds (user and system), as cpuSeconds reads the others'. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
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

/**
 * Where a process's resident memory is, from /proc/PID/smaps, in MiB: V8's heap pages (anonymous mappings of at most
 * 256 KiB, the size V8 allocates its pages in), other anonymous memory (glibc's malloc arenas, thread stacks, the
 * Rust core's allocations), the brk heap, and files (node's own code, native modules). A reading, not an accounting:
 * small anonymous mappings that are not V8's count as V8's.
 */
export function rssBreakdownMiB(pid: number): Record<'v8Pages' | 'otherAnonymous' | 'brkHeap' | 'files', number> {
  const totals = { v8Pages: 0, otherAnonymous: 0, brkHeap: 0, files: 0 };
  let current: keyof typeof totals = 'files';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const sizeKiB = (parseInt(mapping[2], 16) - parseInt(mapping[1], 16)) / 1024;
      const name = mapping[3];
      current = name === '[heap]' ? 'brkHeap' : name ? 'files' : sizeKiB <= 256 ? 'v8Pages' : 'otherAnonymous';
      if (name.startsWith('[') && name !== '[heap]') current = 'otherAnonymous'; // stacks, vdso
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals[current] += Number(rss[1]) / 1024;
  }
  return totals;
}
