import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * A real `perpbot run` (paper mode: the farm on simulated venues) as a child process, for tests
 * and benches of the surfaces beside it (API, dashboard, Telegram). `ready` resolves once groups
 * are open and their liquidation distance is read, with the API's URL when the API is on.
 */

export const PERPBOT_BIN = fileURLToPath(new URL("../cli/bin.ts", import.meta.url));

/** The environment without any PERPBOT* variable of the caller's, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  return { ...env, ...extra };
}

/** `perpbot <args>` run to its end; its stdout. */
export function perpbot(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [PERPBOT_BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
  });
}

export interface RunProcess {
  readonly child: ChildProcess;
  /** the API's base URL, when the run printed one */
  readonly url: string | undefined;
  out(): string;
  err(): string;
  /** SIGINT and wait; resolves with the exit code */
  stop(): Promise<number | null>;
  /** resolves with the exit code when it exits by itself */
  readonly exited: Promise<number | null>;
}

export function startRunProcess(
  cwd: string,
  o: {
    env?: Record<string, string>;
    wantApi?: boolean;
    /** resolve once the API is up, open groups or not (benches on a loaded machine) */
    apiOnly?: boolean;
    timeoutMs?: number;
    wait?: RegExp;
    /** seconds between status prints (default 1: the tests read them) */
    statusEvery?: number;
  } = {},
): Promise<RunProcess> {
  const child = spawn(process.execPath, [PERPBOT_BIN, "run", "--status-every", String(o.statusEvery ?? 1)], {
    cwd,
    env: cleanEnv(o.env),
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const proc = (url: string | undefined): RunProcess => ({
    child,
    url,
    out: () => out,
    err: () => err,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no open groups within ${o.timeoutMs ?? 60_000} ms\nstdout: ${out}\nstderr: ${err}`));
    }, o.timeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`perpbot run exited (${code})\nstdout: ${out}\nstderr: ${err}`));
    });
    child.stdout.on("data", (d) => {
      out += d;
      const url = /^api: (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(out)?.[1];
      const open = [...out.matchAll(/^farm: (\d+) groups? open/gm)].some((m) => Number(m[1]) > 0);
      if (o.apiOnly && url) {
        clearTimeout(t);
        resolve(proc(url));
        return;
      }
      if (
        (url || !o.wantApi) &&
        open &&
        /liq \d+\.\d%/.test(out) &&
        (o.wait === undefined || o.wait.test(out))
      ) {
        clearTimeout(t);
        resolve(proc(url));
      }
    });
  });
}
