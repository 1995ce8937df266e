import { PerpbotError } from "../core/errors.ts";
import type { ConfigIssue } from "./env.ts";

/** Invalid configuration or usage: the CLI prints the message and exits with code 2. */
export class ConfigError extends PerpbotError {
  readonly exitCode: number = 2;
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super("config_invalid", ConfigError.format(issues), options);
    this.issues = issues;
  }

  static format(issues: readonly ConfigIssue[]): string {
    if (issues.length === 1) {
      const i = issues[0];
      return `invalid configuration: ${i.path === "" ? "" : `${i.path}: `}${i.message} (${i.origin})`;
    }
    const lines = issues.map((i) => `  - ${i.path === "" ? "" : `${i.path}: `}${i.message} (${i.origin})`);
    return `invalid configuration (${issues.length} problems):\n${lines.join("\n")}`;
  }
}
