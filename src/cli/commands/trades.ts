import type { Command } from "commander";
import { withStore } from "../../app/service/open.ts";
import { type FillRecord, listTrades } from "../../app/service/trades.ts";
import { moneyText } from "../../core/money.ts";
import { loadCliConfig } from "../context.ts";
import { parseCountArg, parseTimeArg } from "../time-arg.ts";

/** `perpbot trades`: the fills in the store, oldest first (the CSV trade log holds the same fills). */

interface TradesOptions {
  readonly json?: boolean;
  readonly since?: string;
  readonly venue?: string;
  readonly symbol?: string;
  readonly limit?: string;
}

/** A fill as `--json` prints it: money as exact decimal text, the time as ms and ISO text. */
export function fillJson(f: FillRecord): Record<string, unknown> {
  return {
    ts: f.ts,
    time: new Date(f.ts).toISOString(),
    venue: f.venue,
    symbol: f.symbol,
    wallet: f.account,
    orderId: f.clientOrderId,
    venueOrderId: f.venueOrderId,
    fillId: f.fillId,
    side: f.side,
    size: f.size,
    price: f.price,
    fee: moneyText(f.fee),
    realisedPnl: moneyText(f.realisedPnl),
    liquidity: f.liquidity,
  };
}

/** Fees shown to this many decimals: the store keeps them exact (`--json`), a reader needs cents and a bit. */
const FEE_DECIMALS = 4;

/** A fill's columns as `perpbot trades` prints them. */
export function fillCells(f: FillRecord): string[] {
  const fee = Number(moneyText(f.fee)).toFixed(FEE_DECIMALS);
  return [
    new Date(f.ts).toISOString(),
    `${f.venue}:${f.symbol}`,
    f.account,
    f.side,
    f.size,
    "@",
    f.price,
    // what rounds to zero is zero, never "-0.0000"
    `fee ${/^-0\.0+$/.test(fee) ? fee.slice(1) : fee}`,
    f.liquidity,
    f.clientOrderId ?? f.venueOrderId ?? f.fillId,
  ];
}

/** Columns padded to their widest cell (numbers right-aligned), two spaces apart. */
export function fillTable(fills: readonly FillRecord[]): string[] {
  const rows = fills.map(fillCells);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c].length))) ?? [];
  // size, price and fee read best right-aligned
  const right = new Set([4, 6, 7]);
  return rows.map((r) =>
    r
      .map((cell, c) =>
        c === r.length - 1 ? cell : right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]),
      )
      .join("  "),
  );
}

export function registerTrades(program: Command): void {
  program
    .command("trades")
    .description("list stored fills, oldest first")
    .option("--json", "print a JSON array")
    .option(
      "--since <time>",
      "only fills at or after this time: an age (15m, 2h, 7d), an ISO time or epoch ms",
    )
    .option("--venue <venue>", "only this venue")
    .option("--symbol <symbol>", "only this market")
    .option("--limit <n>", "at most the n most recent fills", "1000")
    .action(async (opts: TradesOptions, command: Command) => {
      const sinceTs = opts.since === undefined ? undefined : parseTimeArg(opts.since, "--since");
      const limit = parseCountArg(opts.limit ?? "1000", "--limit");
      const config = loadCliConfig(command);
      await withStore(
        config,
        async (store) => {
          const fills = await listTrades(store, {
            sinceTs,
            venue: opts.venue,
            symbol: opts.symbol,
            limit,
            latest: true,
          });
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(fills.map(fillJson), null, 2)}\n`
              : fills.length === 0
                ? "no fills\n"
                : `${fillTable(fills).join("\n")}\n`,
          );
        },
        { readOnly: true },
      );
    });
}
