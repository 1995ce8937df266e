import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { usd } from "../core/money.ts";
import type { FillRecord } from "../store/records.ts";
import { csvLine, parseCsv, TimestampFormatter } from "./csv.ts";
import { TRADE_CSV_HEADER, TradeRecorder, tradeFileName } from "./recorder.ts";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-trades-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 5, 8, 30, 0, 250);

function fill(i: number, over: Partial<FillRecord> = {}): FillRecord {
  return {
    venue: "simA",
    account: "farm-03",
    symbol: "BTC-PERP",
    fillId: `f${i}`,
    clientOrderId: `pb-g7-${i}`,
    venueOrderId: `v${i}`,
    side: i % 2 === 0 ? "buy" : "sell",
    price: `6273${i}.5`,
    size: `0.00${i + 1}`,
    fee: i === 3 ? usd(-0.0125) : usd(0.0283),
    realisedPnl: 0n,
    liquidity: "taker",
    ts: T0 + i * 1000,
    ...over,
  };
}

describe("TradeRecorder", () => {
  test("the CSV holds the fills given to it, row for row, under one header", () => {
    const dir = tempDir();
    const rec = new TradeRecorder({ dir });
    const fills = [0, 1, 2, 3].map((i) => fill(i));
    for (const f of fills) assert.equal(rec.recordFill(f, { group: "g7", reason: "open" }), true);
    rec.close();
    const rows = parseCsv(readFileSync(join(dir, "simA_BTC-PERP.csv"), "utf8"));
    assert.deepEqual(rows[0], [...TRADE_CSV_HEADER]);
    assert.deepEqual(rows.slice(1), [
      [
        "2026-01-05T08:30:00.250+00:00",
        "pb-g7-0",
        "buy",
        "0.001",
        "62730.5",
        "filled",
        "farm-03",
        "g7",
        "0.0283",
        "open",
      ],
      [
        "2026-01-05T08:30:01.250+00:00",
        "pb-g7-1",
        "sell",
        "0.002",
        "62731.5",
        "filled",
        "farm-03",
        "g7",
        "0.0283",
        "open",
      ],
      [
        "2026-01-05T08:30:02.250+00:00",
        "pb-g7-2",
        "buy",
        "0.003",
        "62732.5",
        "filled",
        "farm-03",
        "g7",
        "0.0283",
        "open",
      ],
      [
        "2026-01-05T08:30:03.250+00:00",
        "pb-g7-3",
        "sell",
        "0.004",
        "62733.5",
        "filled",
        "farm-03",
        "g7",
        "-0.0125",
        "open",
      ],
    ]);
  });

  test("one file per venue and market; the header is written once across restarts", () => {
    const dir = tempDir();
    const a = new TradeRecorder({ dir });
    a.recordFill(fill(0));
    a.recordFill(fill(1, { venue: "simB", symbol: "ETH/USDC:USDC" }));
    a.close();
    const b = new TradeRecorder({ dir });
    b.recordFill(fill(2));
    b.close();
    assert.equal(tradeFileName("simB", "ETH/USDC:USDC"), "simB_ETH-USDC-USDC.csv");
    const btc = parseCsv(readFileSync(join(dir, "simA_BTC-PERP.csv"), "utf8"));
    assert.deepEqual(
      btc.map((r) => r[1]),
      ["OrderID", "pb-g7-0", "pb-g7-2"],
    );
    const eth = parseCsv(readFileSync(join(dir, "simB_ETH-USDC-USDC.csv"), "utf8"));
    assert.deepEqual(
      eth.map((r) => r[1]),
      ["OrderID", "pb-g7-1"],
    );
  });

  test("order events without a price or fee, and reasons that need quoting", () => {
    const dir = tempDir();
    const rec = new TradeRecorder({ dir, fsyncIntervalMs: 0 });
    rec.record({
      venue: "simA",
      symbol: "BTC-PERP",
      wallet: 'wallet "seven", main',
      group: null,
      clientOrderId: "pb-1",
      side: "sell",
      size: "0.5",
      price: null,
      status: "canceled",
      fee: null,
      reason: "liquidation_guard: distance 4.9%,\nbelow 5%",
      ts: T0,
    });
    rec.close();
    const text = readFileSync(join(dir, "simA_BTC-PERP.csv"), "utf8");
    assert.ok(
      text.endsWith(`"wallet ""seven"", main",,,"liquidation_guard: distance 4.9%,\nbelow 5%"\n`),
      text,
    );
    assert.deepEqual(parseCsv(text)[1], [
      "2026-01-05T08:30:00.250+00:00",
      "pb-1",
      "sell",
      "0.5",
      "",
      "canceled",
      'wallet "seven", main',
      "",
      "",
      "liquidation_guard: distance 4.9%,\nbelow 5%",
    ]);
  });

  test("the Timestamp column follows the configured time zone, with its offset", () => {
    const dir = tempDir();
    const rec = new TradeRecorder({ dir, timeZone: "Asia/Shanghai" });
    rec.recordFill(fill(0));
    rec.close();
    assert.equal(
      parseCsv(readFileSync(join(dir, "simA_BTC-PERP.csv"), "utf8"))[1][0],
      "2026-01-05T16:30:00.250+08:00",
    );
    // daylight saving: New York is -05:00 in January and -04:00 in July
    const ny = new TimestampFormatter("America/New_York");
    assert.equal(ny.format(Date.UTC(2026, 0, 5, 3, 0, 0)), "2026-01-04T22:00:00.000-05:00");
    assert.equal(ny.format(Date.UTC(2026, 6, 5, 3, 0, 0)), "2026-07-04T23:00:00.000-04:00");
    assert.equal(
      new TimestampFormatter("Asia/Kolkata").format(Date.UTC(2026, 0, 1)),
      "2026-01-01T05:30:00.000+05:30",
    );
    assert.throws(
      () => new TimestampFormatter("Mars/Olympus"),
      /time zone "Mars\/Olympus" is not an IANA name/,
    );
  });

  test("bad input is refused with the value named; a file with other columns is not appended to", () => {
    const dir = tempDir();
    const rec = new TradeRecorder({ dir });
    assert.throws(
      () => rec.recordFill(fill(0, { size: "1e-3" })),
      /trade simA\/BTC-PERP\/pb-g7-0: size "1e-3"/,
    );
    assert.throws(() => rec.recordFill(fill(0, { side: "long" as "buy" })), /side "long"/);
    writeFileSync(join(dir, "simB_SOL.csv"), "Timestamp,OrderID,Side\n1,2,buy\n");
    // a bad file is a disk problem for the recorder: logged and counted, never thrown at the engine
    assert.equal(rec.recordFill(fill(1, { venue: "simB", symbol: "SOL" })), false);
    assert.equal(rec.writeFailures, 1);
    assert.equal(readFileSync(join(dir, "simB_SOL.csv"), "utf8"), "Timestamp,OrderID,Side\n1,2,buy\n");
    assert.throws(() => new TradeRecorder({ dir, timeZone: "nowhere" }), /not an IANA name/);
    rec.close();
  });
});

describe("csv", () => {
  test("property: any rows survive csvLine → parseCsv", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r", " ", "é", "1") }), {
            minLength: 1,
            maxLength: 6,
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (rows) => {
          // a row of one empty field is an empty line, which CSV cannot tell from no row at all
          const kept = rows.filter((r) => !(r.length === 1 && r[0] === ""));
          assert.deepEqual(parseCsv(kept.map(csvLine).join("")), kept);
        },
      ),
      { numRuns: 500 },
    );
  });
});
