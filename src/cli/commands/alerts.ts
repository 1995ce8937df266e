import type { Command } from "commander";
import { type AlertRecord, listAlerts } from "../../app/service/alerts.ts";
import { withStore } from "../../app/service/open.ts";
import { redactText } from "../../log/redact.ts";
import { loadCliConfig } from "../context.ts";
import { parseCountArg, parseTimeArg } from "../time-arg.ts";

/**
 * `perpbot alerts`: the alerts in the store, oldest first: every alert the engine raised,
 * whatever the notification destinations did with it.
 */

interface AlertsOptions {
  readonly json?: boolean;
  readonly since?: string;
  readonly limit?: string;
}

/** An alert as `--json` prints it: stable names, the time both as ms and as ISO text. */
export function alertJson(a: AlertRecord): Record<string, unknown> {
  return {
    id: a.id,
    ts: a.ts,
    time: new Date(a.ts).toISOString(),
    severity: a.severity,
    key: a.kind,
    title: a.title,
    message: a.message,
    context: a.context,
    acknowledgedAt: a.acknowledgedAt,
  };
}

function alertLine(a: AlertRecord): string {
  const where = Object.entries(a.context ?? {})
    .filter(([k]) => ["group", "wallet", "venue", "symbol", "action"].includes(k))
    .map(([k, v]) => `${k}=${typeof v === "string" && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
    .join(" ");
  const head = a.title ? `${a.title}: ${a.message}` : a.message;
  return `${new Date(a.ts).toISOString()}  ${a.severity.toUpperCase().padEnd(9)} ${a.kind}  ${head}${where ? `  [${where}]` : ""}`;
}

export function registerAlerts(program: Command): void {
  program
    .command("alerts")
    .description("list stored alerts, oldest first")
    .option("--json", "print a JSON array")
    .option(
      "--since <time>",
      "only alerts at or after this time: an age (15m, 2h, 7d), an ISO time or epoch ms",
    )
    .option("--limit <n>", "at most the n most recent alerts", "100")
    .action(async (opts: AlertsOptions, command: Command) => {
      const sinceTs = opts.since === undefined ? undefined : parseTimeArg(opts.since, "--since");
      const limit = parseCountArg(opts.limit ?? "100", "--limit");
      const config = loadCliConfig(command);
      await withStore(
        config,
        async (store) => {
          const alerts = await listAlerts(store, { sinceTs, limit, latest: true });
          // a raiser may have quoted a secret; what is printed passes the scrubber like the logs
          const out = opts.json
            ? `${JSON.stringify(alerts.map(alertJson), null, 2)}\n`
            : alerts.length === 0
              ? "no alerts\n"
              : `${alerts.map(alertLine).join("\n")}\n`;
          process.stdout.write(redactText(out));
        },
        { readOnly: true },
      );
    });
}
