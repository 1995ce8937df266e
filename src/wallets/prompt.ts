import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { KeystoreUsageError } from "./errors.ts";

/**
 * Where passwords and secrets come from on the command line: never argv (it shows in `ps` and
 * shell history). A password comes from a file, an environment variable, or a no-echo prompt on
 * the terminal; secrets for `keys add` from the prompt or, when stdin is piped, one per line.
 */

export interface PasswordSource {
  /** what the password is for, used in prompts and errors: "keystore password" */
  readonly what: string;
  readonly file?: string;
  /** name of the environment variable to read, e.g. PERPBOT_KEYSTORE_PASSWORD */
  readonly envName: string;
  readonly env?: NodeJS.ProcessEnv;
  /** the option that names a file, for the error when nothing is available: "--password-file" */
  readonly fileOption: string;
  /** ask twice on a prompt (new passwords) */
  readonly confirm?: boolean;
  /**
   * An empty password is a password (reading a file another program encrypted under one): an
   * empty file, the variable set to "", or Enter at the prompt.
   */
  readonly allowEmpty?: boolean;
}

/** Strips one trailing line ending: `echo pw > file` must give "pw", not "pw\n". */
function withoutEol(text: string): string {
  return text.replace(/\r?\n$/, "");
}

export async function obtainPassword(src: PasswordSource): Promise<string> {
  if (src.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.file, "utf8");
    } catch (err) {
      throw new KeystoreUsageError(
        `${src.fileOption} ${src.file}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`,
      );
    }
    const pw = withoutEol(text);
    if (pw === "" && src.allowEmpty !== true)
      throw new KeystoreUsageError(`${src.fileOption} ${src.file}: the file is empty`);
    return pw;
  }
  const fromEnv = (src.env ?? process.env)[src.envName];
  if (fromEnv !== undefined && (fromEnv !== "" || src.allowEmpty === true)) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new KeystoreUsageError(
      `no ${src.what}: set ${src.envName}, pass ${src.fileOption} <file>, or run in a terminal to be asked`,
    );
  }
  const pw = await promptHidden(`${src.what}: `);
  if (pw === "" && src.allowEmpty !== true) throw new KeystoreUsageError(`the ${src.what} is empty`);
  if (src.confirm) {
    const again = await promptHidden(`${src.what} (again): `);
    if (again !== pw) throw new KeystoreUsageError(`the two ${src.what} entries differ; nothing was changed`);
  }
  return pw;
}

/** Reads one line from the terminal without echoing it; Ctrl-C or Ctrl-D aborts. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let text = "";
    const wasRaw = stdin.isRaw;
    // echo off before the prompt shows, so nothing typed right after it is echoed
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding("utf8");
    const finish = (err?: Error) => {
      stdin.removeListener("data", onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003" || ch === "\u0004")
          return finish(new KeystoreUsageError("cancelled at the prompt"));
        if (ch === "\u007f" || ch === "\b") text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** Asks a yes/no question on the terminal (stderr); only "y" or "yes" is a yes. */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

/** Asks on the terminal (stderr) for a word typed exactly, e.g. "mainnet" before real money trades. */
export async function confirmTyped(question: string, word: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === word;
  } finally {
    rl.close();
  }
}

/** Secrets for one command, asked in a fixed order: prompts on a terminal, lines of piped stdin otherwise. */
export class SecretInput {
  private lines: string[] | null = null;
  private used = 0;

  async next(label: string): Promise<string> {
    if (process.stdin.isTTY) {
      const v = await promptHidden(`${label}: `);
      if (v === "") throw new KeystoreUsageError(`${label}: nothing entered`);
      return v;
    }
    if (this.lines === null) {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      chunks.forEach((c) => {
        c.fill(0);
      });
      this.lines = text.split(/\r?\n/);
      if (this.lines.at(-1) === "") this.lines.pop();
    }
    const v = this.lines[this.used++];
    if (v === undefined || v === "") {
      throw new KeystoreUsageError(
        `${label}: expected on line ${this.used} of stdin, found ${v === undefined ? "no line" : "an empty line"}`,
      );
    }
    return v;
  }

  /** Lines piped in but never asked for are a mistake worth reporting (a secret in the wrong slot). */
  leftover(): number {
    return this.lines === null ? 0 : this.lines.length - this.used;
  }
}
