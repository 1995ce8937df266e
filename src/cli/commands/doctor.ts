import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_MAX_SKEW_MS, type DoctorReport, runDoctor } from "../../app/doctor/doctor.ts";
import { keystoreSection } from "../../config/sections.ts";
import { obtainPassword } from "../../wallets/prompt.ts";
import { loadCliConfig } from "../context.ts";
import { UsageError } from "../errors.ts";
import { KEYSTORE_PASSWORD_ENV } from "./keys.ts";

/**
 * `perpbot doctor`: is every configured venue and wallet ready for a live run? One row per
 * check, each failure with what to do; `--json` prints the report as one object. Exit code 1
 * when any check failed (docs/doctor.md).
 */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check each configured venue and wallet before a live run: keys, reachability, clock, agent, balances, margin, foreign positions and orders, rate limits",
    )
    .option("--json", "print one JSON object")
    .option("--max-skew <ms>", "largest accepted clock difference with a venue", String(DEFAULT_MAX_SKEW_MS))
    .option("--keystore <path>", "keystore file (default: keystore.path from the config)")
    .option(
      "--password-file <file>",
      `file holding the keystore password (else $${KEYSTORE_PASSWORD_ENV}, else a prompt)`,
    )
    .action(
      async (
        opts: { json?: boolean; maxSkew: string; keystore?: string; passwordFile?: string },
        command: Command,
      ) => {
        const maxSkewMs = Number(opts.maxSkew);
        if (!/^\d+$/.test(opts.maxSkew) || !Number.isSafeInteger(maxSkewMs))
          throw new UsageError(`--max-skew "${opts.maxSkew}": give a whole number of milliseconds`);
        const config = loadCliConfig(command);
        const report = await runDoctor({
          config,
          keystorePath: resolve(opts.keystore ?? keystoreSection.get(config.values).path),
          password: () =>
            obtainPassword({
              what: "keystore password",
              file: opts.passwordFile,
              envName: KEYSTORE_PASSWORD_ENV,
              fileOption: "--password-file",
            }),
          maxSkewMs,
        });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
        if (!report.ok) process.exitCode = 1;
      },
    );
}

const MARK: Record<string, string> = { ok: "ok", warn: "WARN", fail: "FAIL", skip: "skip" };

/** The report as a table: venue, wallet, check, status, detail; a failure's fix on the next line. */
export function formatDoctor(r: DoctorReport): string {
  const head = ["VENUE", "WALLET", "CHECK", "STATUS"];
  const cells = r.checks.map((c) => [c.venue, c.wallet ?? "-", c.check, MARK[c.status]]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: readonly string[]) => row.map((x, i) => x.padEnd(widths[i])).join("  ");
  const indent = " ".repeat(widths.reduce((a, b) => a + b + 2, 0));
  const out = [`${line(head)}  DETAIL`];
  for (const [i, c] of r.checks.entries()) {
    out.push(`${line(cells[i])}  ${c.detail}`);
    if (c.fix !== undefined && c.status !== "ok") out.push(`${indent}-> ${c.fix}`);
  }
  const n = r.counts;
  out.push(
    "",
    `doctor (${r.mode}): ${n.ok} ok, ${n.warn} warning${n.warn === 1 ? "" : "s"}, ${n.fail} failed, ${n.skip} skipped: ${r.ok ? "ready" : "NOT ready, fix the FAIL rows"}`,
  );
  return `${out.join("\n")}\n`;
}
