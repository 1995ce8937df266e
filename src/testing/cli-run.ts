import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** `perpbot` as a new user runs it: the real bin, a child process, the environment without PERPBOT_*. */
export const BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return { ...env, ...extra };
}

export interface RunningCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** resolves with the ms since spawn once `until(stdout, stderr)` holds; rejects after the timeout */
  readonly ready: Promise<number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  out(): string;
  err(): string;
}

/** Spawns `perpbot <args>` in `cwd`; `until` decides from its output when the test has seen enough. */
export function startCli(
  cwd: string,
  args: readonly string[],
  until: (stdout: string, stderr: string) => boolean,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): RunningCli {
  const startedAt = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: cleanEnv(options.env) });
  // a test that fails half-way must not leave a runner behind
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  child.once("exit", () => process.off("exit", reap));
  let stdout = "";
  let stderr = "";
  let check = () => {};
  const ready = new Promise<number>((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`not ready within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      timeoutMs,
    );
    check = () => {
      if (until(stdout, stderr)) {
        clearTimeout(t);
        resolve(Date.now() - startedAt);
      }
    };
    child.on("exit", () => {
      clearTimeout(t);
      if (!until(stdout, stderr))
        reject(new Error(`exited before ready\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  ready.catch(() => {});
  child.stdout.on("data", (d) => {
    stdout += d;
    check();
  });
  child.stderr.on("data", (d) => {
    stderr += d;
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

/** `perpbot <args>` to its end: exit code and output. */
export function runCli(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `farm: N groups open` counts in a run's output, in order. */
export function openCounts(stdout: string): number[] {
  return [...stdout.matchAll(/^(?:\[\S+\] )?farm: (\d+) groups? open/gm)].map((m) => Number(m[1]));
}
