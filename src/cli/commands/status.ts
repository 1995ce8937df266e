import type { Command } from "commander";
import { withStore } from "../../app/service/open.ts";
import {
  loadStatusReport,
  type StatusGroup,
  type StatusInstance,
  type StatusReport,
  type StatusTotals,
} from "../../app/service/status.ts";
import type { PointsCells, StatusPointsSum } from "../../app/service/status-points.ts";
import { loadCliConfig } from "../context.ts";
import { parseCountArg } from "../time-arg.ts";

/**
 * `perpbot status`: the trading state, the active groups with their legs, the recently closed
 * ones and the accounting, from the store alone: no venue connection, and it works the same
 * whether `perpbot run` is running in another process or not.
 */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("trading state, active and recently closed groups, accounting (from the store)")
    .option("--json", "print one JSON object")
    .option("--recent <n>", "how many recently closed groups to show", "10")
    .option("--wallets", `list every wallet (default: the first ${WALLET_ROWS}; --json always has all)`)
    .action(async (opts: { json?: boolean; recent: string; wallets?: boolean }, command: Command) => {
      const recent = parseCountArg(opts.recent, "--recent");
      const config = loadCliConfig(command);
      const report = await withStore(
        config,
        (store) => loadStatusReport(store, { now: Date.now(), recent }),
        {
          readOnly: true,
        },
      );
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : formatStatus(report, { walletRows: opts.wallets ? Number.POSITIVE_INFINITY : WALLET_ROWS }),
      );
    });
}

/** wallet rows the text view shows unless --wallets asks for all */
const WALLET_ROWS = 20;

export function formatStatus(r: StatusReport, options: { walletRows?: number } = {}): string {
  const runner = r.runner.running
    ? `running (pid ${r.runner.pid}, seen ${duration(r.now - (r.runner.lastSeen ?? r.now))} ago)`
    : r.runner.lastSeen === null
      ? "not running"
      : `not running (last seen ${time(r.runner.lastSeen)})`;
  // with several strategy instances every group names its own; one "farm" needs no tag
  const tagged = r.instances.length > 1 || r.instances.some((i) => i.strategy !== "farm");
  const lines = [
    `trading state: ${r.tradingState}   runner: ${runner}   open requests: ${r.openRequests}`,
    "",
    `active groups: ${r.active.length}`,
  ];
  for (const g of r.active) {
    const closes =
      g.closeAt === null
        ? "no close time"
        : `closes ${time(g.closeAt)} (${(g.closesInMs ?? 0) > 0 ? `in ${duration(g.closesInMs ?? 0)}` : "due now"})`;
    lines.push(`  ${groupHead(g, tagged)}  opened ${time(g.createdAt)}  ${closes}`);
    lines.push(`      ${totalsText(g.accounting)}`);
    for (const l of g.legs) {
      const size = l.size === null ? `${l.lots} lots` : String(l.size);
      lines.push(
        `      ${l.wallet.padEnd(14)} ${l.venue.padEnd(6)} ${l.symbol.padEnd(10)} ${l.side.padEnd(5)} ${size.padStart(12)} @ ${l.avgPrice > 0 ? formatPrice(l.avgPrice) : "-"}`,
      );
    }
  }
  lines.push("", `recently closed: ${r.recentlyClosed.length === 0 ? "none" : ""}`.trimEnd());
  for (const g of r.recentlyClosed) {
    lines.push(
      `  ${groupHead(g, tagged)}  ${(g.reason ?? "-").padEnd(17)} ${g.closedAt === null ? "" : `closed ${time(g.closedAt)}  `}${totalsText(g.accounting)}`,
    );
  }
  if (r.instances.length > 1 || r.instances.some((i) => i.strategy !== "farm")) {
    lines.push("");
    for (const i of r.instances) lines.push(...instanceLines(i));
  }
  if (r.venueNotices.length > 0) {
    lines.push("", "venue notices:");
    for (const n of r.venueNotices) lines.push(`  ${n.venue}: ${n.text}`);
  }
  lines.push(...walletLines(r, options.walletRows ?? WALLET_ROWS));
  lines.push(
    "",
    `total (${r.totals.groups} group${r.totals.groups === 1 ? "" : "s"}): ${totalsText(r.totals)}  ${costText(r.totals)}`,
  );
  if (r.venues.length > 0 || r.wallets.length > 0) lines.push(`points: ${pointsSumText(r.points)}`);
  return `${lines.join("\n")}\n`;
}

/**
 * One instance: what it is (kind, wallets, allocation, as the runner last reported it), its
 * groups and their totals, then one line of how its groups ended and, for carry and scalp, why
 * its scans passed (only what it has).
 */
function instanceLines(i: StatusInstance): string[] {
  const run = i.run;
  const about =
    run === null
      ? ""
      : ` (${[
          run.kind,
          run.wallets.length === 0
            ? "every wallet"
            : run.wallets.length <= 3
              ? `wallets ${run.wallets.join(", ")}`
              : `${run.wallets.length} wallets`,
          run.maxExposureUsd === null ? "" : `max exposure ${money(run.maxExposureUsd)}`,
          run.running ? "" : "not acting",
        ]
          .filter((x) => x !== "")
          .join(", ")})`;
  const lines = [
    `instance ${i.strategy}${about}: ${i.active.length} active, ${i.totals.groups} group${i.totals.groups === 1 ? "" : "s"}: ${totalsText(i.totals)}`,
  ];
  const counts = (c: Readonly<Record<string, number>>) =>
    Object.entries(c)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
  const parts: string[] = [];
  if (Object.keys(i.exits).length > 0) parts.push(`exits: ${counts(i.exits)}`);
  if (Object.keys(i.failedOpens).length > 0) parts.push(`failed opens: ${counts(i.failedOpens)}`);
  if (run !== null && run.rejections !== null && Object.keys(run.rejections).length > 0)
    parts.push(`rejections${run.stale ? ` (as of ${time(run.asOf)})` : ""}: ${counts(run.rejections)}`);
  if (parts.length > 0) lines.push(`    ${parts.join("   ")}`);
  return lines;
}

/**
 * Per venue, then per wallet on each venue: a venue's points are paid on a wallet's volume
 * there, and what that volume cost is its fees, funding and realised PnL.
 */
function walletLines(r: StatusReport, maxRows: number): string[] {
  if (r.venues.length === 0 && r.wallets.length === 0) return [];
  const lines = ["", "per venue:"];
  for (const v of r.venues)
    lines.push(`  ${v.venue.padEnd(8)} ${totalsText(v)}  ${costText(v)}  points ${pointsSumText(v)}`);
  const head = [
    "wallet".padEnd(16),
    "venue".padEnd(8),
    ...["volume", "fees", "funding", "realised", "net", "cost/$1M"].map((h) => h.padStart(13)),
    "points".padStart(11),
  ];
  lines.push("", "per wallet and venue (what points are paid on):", `  ${head.join(" ")}`);
  for (const w of r.wallets.slice(0, maxRows)) {
    const cells = [
      w.volumeUsd,
      Number(w.feesUsd),
      Number(w.fundingUsd),
      Number(w.realisedPnlUsd),
      Number(w.netPnlUsd),
    ];
    const cost = w.volumeUsd > 0 ? money(w.costPerMillionUsd) : "-";
    // the venue's figure and when it was read, or why there is none (a venue without points)
    const points =
      w.points === undefined
        ? ` ${w.pointsNote ?? "-"}`
        : ` ${w.points.total.toFixed(2).padStart(11)} (read ${time(w.points.ts)})`;
    lines.push(
      `  ${w.wallet.padEnd(16)} ${w.venue.padEnd(8)} ${cells.map((x) => money(x).padStart(13)).join(" ")} ${cost.padStart(13)}${points}`,
    );
  }
  const more = r.wallets.length - maxRows;
  if (more > 0) lines.push(`  … ${more} more (perpbot status --wallets lists them all)`);
  return lines;
}

function groupHead(g: StatusGroup, tagged: boolean): string {
  const strategy = tagged ? ` [${g.strategy}]` : "";
  return `${g.id}${strategy}  ${g.status.padEnd(9)} ${g.venues.padEnd(10)} ${g.base.padEnd(4)} ${g.legs.length} legs`;
}

function totalsText(t: StatusTotals): string {
  return `volume ${money(t.volumeUsd)}  fees ${money(Number(t.feesUsd))}  funding ${money(Number(t.fundingUsd))}  realised ${money(Number(t.realisedPnlUsd))}  net ${money(Number(t.netPnlUsd))}`;
}

function costText(t: StatusTotals): string {
  return `cost per $1M ${t.volumeUsd > 0 ? money(t.costPerMillionUsd) : "-"}`;
}

/** A venue's or the report's points: the sum, over how many wallets, read when; or the note. */
function pointsSumText(c: PointsCells<StatusPointsSum>): string {
  const p = c.points;
  if (p === undefined) return c.pointsNote ?? "-";
  const [from, to] = [time(p.oldestTs), time(p.newestTs)];
  const read = from === to ? from : `${from} to ${to}`;
  return `${p.total.toFixed(2)} over ${p.wallets} wallet${p.wallets === 1 ? "" : "s"} (read ${read})`;
}

function money(x: number): string {
  return `${x < 0 ? "-" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function formatPrice(p: number): string {
  if (p >= 1000) return p.toFixed(1);
  if (p >= 1) return p.toFixed(3);
  return p.toPrecision(4);
}

function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")}Z`;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${m}m`;
}
