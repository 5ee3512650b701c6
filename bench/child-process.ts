/**
 * Benchmark servers run in a child process, so client and server each get a core and neither
 * one's garbage collection pauses the other. The child prints one `READY <json>` line when it
 * listens; it exits when its stdin closes (the parent went away, however) or after a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A running child with what it announced. */
export interface BenchChild<T> {
  readonly ready: T;
  readonly process: ChildProcess;
  /** Lines the child printed after READY (a server's stats lines, say). */
  readonly lines: string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Start `script` (a .ts file, run through tsx) and wait for its READY line, at most `timeoutMs`. */
export function startChild<T>(script: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] } = {}): Promise<BenchChild<T>> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: options.env ?? process.env,
  });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      void stop(100);
      reject(new Error(`${script} did not become ready within ${options.timeoutMs ?? 30_000} ms`));
    }, options.timeoutMs ?? 30_000);
    child.once('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!settled && line.startsWith('READY ')) {
        settled = true;
        clearTimeout(timer);
        resolve({ ready: JSON.parse(line.slice(6)) as T, process: child, lines, stop });
      } else if (settled) lines.push(line);
      else process.stdout.write(`[child] ${line}\n`);
    });
  });
}

/**
 * In the child: run `cleanup` and exit when the parent closes our stdin or sends SIGTERM/SIGINT,
 * and in any case after `maxLifetimeMs`, so no benchmark server can outlive its run.
 */
export function exitWithParent(cleanup: () => Promise<void> | void, maxLifetimeMs: number): void {
  let leaving = false;
  const leave = (): void => {
    if (leaving) return;
    leaving = true;
    const hard = setTimeout(() => process.exit(0), 3_000);
    hard.unref();
    Promise.resolve(cleanup()).finally(() => process.exit(0));
  };
  process.stdin.on('end', leave);
  process.stdin.on('close', leave);
  process.stdin.resume();
  process.once('SIGTERM', leave);
  process.once('SIGINT', leave);
  setTimeout(leave, maxLifetimeMs).unref();
}

/** In the child: tell the parent we are listening. */
export function announceReady(data: unknown): void {
  process.stdout.write(`READY ${JSON.stringify(data)}\n`);
}
