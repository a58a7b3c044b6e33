import { readdirSync, readFileSync } from 'node:fs';

/** The kernel's clock ticks per second for /proc/<pid>/stat times (100 on Linux x86-64 and arm64). */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far (user + system), in ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** Resident set size, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** The process whose command line has every one of `parts` (in process group `group` if given), if one runs. */
export function findProcess(parts: string[], group?: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    let stat: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Field 5, the process group, counted after the command name's closing parenthesis (it may hold spaces).
    if (group !== undefined && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== group) continue;
    const args = cmdline.split('\0');
    if (parts.every((p) => args.includes(p))) return Number(entry);
  }
  return undefined;
}

/** Samples the summed RSS of processes every `everyMs` until stopped; `stop()` gives the highest value seen. */
export function sampleRss(pids: number[], everyMs = 500): { stop(): number } {
  const total = () =>
    pids.reduce((sum, pid) => {
      try {
        return sum + rssMb(pid);
      } catch {
        return sum; // the process is gone
      }
    }, 0);
  let max = total();
  const timer = setInterval(() => (max = Math.max(max, total())), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(max * 10) / 10;
    },
  };
}
