/**
 * Runs one runner child process under supervision: request line in, protocol lines out, stderr tail kept,
 * a time limit, cancellation, and the whole process group killed (SIGTERM, then SIGKILL) so nothing is orphaned.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseRunnerLine, type RunnerMessage } from '../../core/bench/protocol.ts';

/** What to run and how long to wait. */
export interface ChildRunOptions {
  command: string;
  args: readonly string[];
  /** The single request line (with its newline). */
  request: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for every protocol message as it arrives. */
  onMessage?: (message: RunnerMessage) => void;
  /** Time between SIGTERM and SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** How much of stderr to keep (default 4000 characters). */
  stderrTailChars?: number;
}

/** How a child run ended. */
export interface ChildRunResult {
  messages: RunnerMessage[];
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last stderr characters (library noise, tracebacks). */
  stderrTail: string;
  /** The spawn error, when the program could not start at all. */
  spawnError: string | null;
  /** Process group id of the child (its pid), for tests that check nothing is left behind. */
  pid: number | null;
}

// Process groups still alive, killed if this process exits first (Ctrl-C, crash, normal exit).
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

/** Kills every runner process group this process started and that is still alive. */
export function killAllRunners(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
}

/** Runs one child to completion, timeout or abort; never rejects. */
export function runChild(options: ChildRunOptions): Promise<ChildRunResult> {
  installExitHook();
  const tailChars = options.stderrTailChars ?? 4000;
  const grace = options.killGraceMs ?? 2000;
  return new Promise((resolve) => {
    const messages: RunnerMessage[] = [];
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnError: string | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: one kill reaches every thread pool and helper the runner starts, and a
      // terminal Ctrl-C reaches only us, so we decide how runners are stopped.
      detached: true,
    });
    const pid = child.pid ?? null;
    if (pid !== null) liveGroups.add(pid);

    const stop = () => {
      if (pid === null || killTimer) return;
      killGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdin.on('error', () => {}); // EPIPE when the child dies before reading
    child.stdin.end(options.request);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-tailChars * 2);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const message = parseRunnerLine(line);
      if (!message) {
        // Stray stdout output is kept with stderr: it is diagnostics, never protocol.
        stderr = `${stderr}${line}\n`.slice(-tailChars * 2);
        return;
      }
      messages.push(message);
      options.onMessage?.(message);
    });

    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (pid !== null) {
        // The leader is gone; make sure no member of its group outlives it.
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
      }
      resolve({
        messages,
        exitCode,
        exitSignal,
        timedOut,
        aborted,
        stderrTail: stderr.slice(-tailChars).trim(),
        spawnError,
        pid,
      });
    };
    child.on('error', (err) => {
      spawnError = err.message;
      finish(null, null);
    });
    // When the leader exits, helpers it left behind would keep the pipes open: end the group now.
    child.on('exit', () => {
      if (pid !== null) killGroup(pid, 'SIGKILL');
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
