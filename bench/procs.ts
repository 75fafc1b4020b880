/**
 * @module What the benchmark learns about the processes `wrangler dev` starts, from Linux's /proc:
 * which workerd runs the worker itself (wrangler runs a second one for its dev proxy), its CPU time,
 * the loopback ports it listens on, and wrangler's inspector port. Elsewhere every function answers
 * `undefined` and the benchmark leaves those figures out.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  args: string[];
}

/** Every process below this one, read from /proc; empty where there is no /proc. */
function descendants(root = process.pid): Proc[] {
  let all: Proc[];
  try {
    all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => readProc(Number(name)) ?? []);
  } catch {
    return [];
  }
  const below = (pid: number): Proc[] => all.filter((p) => p.ppid === pid).flatMap((p) => [p, ...below(p.pid)]);
  return below(root);
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces; the parent pid is the second field after it.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { pid, ppid, args };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The wrangler process serving `url` (the one given `--port <its port>`). */
function wranglerFor(url: string): Proc | undefined {
  const port = new URL(url).port;
  return descendants().find((p) => p.args.some((a) => a.endsWith('wrangler-dist/cli.js')) && p.args.join(' ').includes(`--port ${port}`));
}

/**
 * The workerd that runs the worker's own code: of the two wrangler starts, the one with an
 * inspector (the other holds wrangler's dev proxy, through which every request passes).
 */
export function userRuntimePid(url: string): number | undefined {
  const wrangler = wranglerFor(url);
  if (wrangler === undefined) return undefined;
  return descendants(wrangler.pid).find((p) => p.args[0]?.endsWith('workerd') && p.args.some((a) => a.startsWith('--inspector-addr')))?.pid;
}

export function inspectorPort(url: string): number | undefined {
  const args = wranglerFor(url)?.args ?? [];
  const at = args.indexOf('--inspector-port');
  return at < 0 ? undefined : Number(args[at + 1]);
}

/** TCP ports a process listens on, from its socket inodes matched against /proc/net/tcp. */
export function listeningPorts(pid: number): number[] {
  try {
    const inodes = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? [];
        } catch {
          return [];
        }
      }),
    );
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // Columns: sl, local address (hex ip:port), remote address, state (0A = LISTEN), ..., inode (10th).
      .filter((cols) => cols[3] === '0A' && inodes.has(cols[9] ?? ''))
      .map((cols) => parseInt(cols[1]?.split(':')[1] ?? '', 16));
  } catch {
    return [];
  }
}

/** CPU time a process has used so far, all threads, in ms (from each thread's schedstat, in ns). */
export function cpuMs(pid: number): number | undefined {
  try {
    let nanos = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      nanos += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0] ?? 0);
    }
    return nanos / 1e6;
  } catch {
    return undefined;
  }
}
