/**
 * CPU time and resident memory of another process, read from /proc (Linux): the same meter for
 * both servers, whatever they are built on.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU milliseconds `pid` has used so far, in user space and in the kernel (system calls, and on loopback the receiver's TCP path). */
export function cpuTimes(pid: number): { userMs: number; kernelMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userMs: (Number(fields[11]) * 1000) / TICKS_PER_SECOND, kernelMs: (Number(fields[12]) * 1000) / TICKS_PER_SECOND };
}

/** Minor page faults and context switches of `pid` so far (where kernel time goes besides system calls). */
export function kernelCounters(pid: number): { minorFaults: number; voluntarySwitches: number; involuntarySwitches: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const count = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { minorFaults: Number(fields[7]), voluntarySwitches: count('voluntary_ctxt_switches'), involuntarySwitches: count('nonvoluntary_ctxt_switches') };
}

/** Resident set size of `pid`, bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}
