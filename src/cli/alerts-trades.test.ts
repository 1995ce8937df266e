import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { AlertService } from "../alerts/service.ts";
import { SimClock } from "../core/clock.ts";
import { usd } from "../core/money.ts";
import { AlertBus } from "../engine/alerts.ts";
import type { FillRecord } from "../store/records.ts";
import { openStore } from "../store/store.ts";
import { parseCsv } from "../trades/csv.ts";
import { TradeRecorder } from "../trades/recorder.ts";

/** `perpbot alerts` and `perpbot trades` through the real CLI, on a temp SQLite store. */

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), "perpbot-cli-at-"));
after(() => rmSync(cwd, { recursive: true, force: true }));

function perpbot(args: string[]) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT__")) env[k] = v;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const fills: FillRecord[] = [0, 1, 2, 3, 4].map((i) => ({
  venue: i === 2 ? "simB" : "simA",
  account: `farm-0${i % 3}`,
  symbol: "BTC-PERP",
  fillId: `f${i}`,
  clientOrderId: `pb-g1-${i}`,
  venueOrderId: `v${i}`,
  side: i % 2 === 0 ? "buy" : "sell",
  price: `6270${i}.5`,
  size: `0.01${i}`,
  fee: i === 4 ? usd(-0.001) : usd(0.0123 * (i + 1)),
  realisedPnl: usd(i),
  liquidity: i === 4 ? "maker" : "taker",
  ts: T0 + i * 60_000,
}));

before(async () => {
  writeFileSync(
    join(cwd, "perpbot.toml"),
    '[store]\nurl = "sqlite:./db/perpbot.db"\n\n[trades]\ndir = "./trades"\n',
  );
  const store = await openStore("sqlite:./db/perpbot.db", { cwd });
  const recorder = new TradeRecorder({ dir: join(cwd, "trades") });
  for (const f of fills) {
    await store.orders.upsert({
      clientOrderId: f.clientOrderId!,
      venue: f.venue,
      account: f.account,
      symbol: f.symbol,
      side: f.side,
      type: "limit",
      tif: "ioc",
      price: f.price,
      size: f.size,
      filledSize: f.size,
      reduceOnly: false,
      status: "filled",
      venueOrderId: f.venueOrderId,
      groupId: "g1",
      reason: null,
      createdAt: f.ts,
      updatedAt: f.ts,
    });
    await store.fills.insert(f);
    recorder.recordFill(f, { group: "g1", reason: "open" });
  }
  recorder.close();
  const clock = new SimClock(T0);
  const service = new AlertService({ store, destinations: [], clock });
  const bus = new AlertBus();
  service.attach(bus);
  bus.raise({
    severity: "warning",
    key: "liq_distance:g1",
    title: "Liquidation distance below 10%",
    message: "farm-01 short is 8.2% from liquidation",
    context: { group: "g1", wallet: "farm-01", venue: "simA", symbol: "BTC-PERP", action: "watching" },
    ts: T0,
  });
  bus.raise({
    severity: "emergency",
    key: "unhedged:g1",
    title: "Unhedged leg",
    message: "leg 2 failed",
    context: { group: "g1", action: "unwinding leg 1" },
    ts: T0 + 3_600_000,
  });
  await service.close();
  await store.close();
});

describe("perpbot trades", () => {
  test("--json gives the stored fills, and the CSV trade log has the same rows", () => {
    const r = perpbot(["trades", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((x) => x.fillId),
      ["f0", "f1", "f2", "f3", "f4"],
    );
    assert.deepEqual(rows[4], {
      ts: T0 + 4 * 60_000,
      time: "2026-01-05T08:04:00.000Z",
      venue: "simA",
      symbol: "BTC-PERP",
      wallet: "farm-01",
      orderId: "pb-g1-4",
      venueOrderId: "v4",
      fillId: "f4",
      side: "buy",
      size: "0.014",
      price: "62704.5",
      fee: "-0.001",
      realisedPnl: "4",
      liquidity: "maker",
    });
    // the CSV files, per venue, hold the same fills in the same order
    const csvRows = ["simA", "simB"].flatMap((v) =>
      parseCsv(readFileSync(join(cwd, "trades", `${v}_BTC-PERP.csv`), "utf8")).slice(1),
    );
    const fromCli = rows.map((x) => [
      new Date(x.ts as number).toISOString().replace("Z", "+00:00"),
      x.orderId,
      x.side,
      x.size,
      x.price,
      "filled",
      x.wallet,
      "g1",
      x.fee,
      "open",
    ]);
    const byOrder = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
    assert.deepEqual([...csvRows].sort(byOrder), [...fromCli].sort(byOrder));
  });

  test("--venue, --symbol and --since filter; a bad --since exits 2", () => {
    const simB = JSON.parse(perpbot(["trades", "--json", "--venue", "simB"]).stdout) as { fillId: string }[];
    assert.deepEqual(
      simB.map((x) => x.fillId),
      ["f2"],
    );
    const since = JSON.parse(perpbot(["trades", "--json", "--since", "2026-01-05T08:03:00Z"]).stdout) as {
      fillId: string;
    }[];
    assert.deepEqual(
      since.map((x) => x.fillId),
      ["f3", "f4"],
    );
    assert.deepEqual(JSON.parse(perpbot(["trades", "--json", "--symbol", "ETH-PERP"]).stdout), []);
    const bad = perpbot(["trades", "--since", "last tuesday"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since "last tuesday": expected an age/);
    const text = perpbot(["trades", "--venue", "simB"]);
    assert.equal(
      text.stdout,
      "2026-01-05T08:02:00.000Z  simB:BTC-PERP  farm-02  buy  0.012  @  62702.5  fee 0.0369  taker  pb-g1-2\n",
    );
  });
});

describe("perpbot alerts", () => {
  test("--json lists the stored alerts oldest first, with key, title and context", () => {
    const r = perpbot(["alerts", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const alerts = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      alerts.map((a) => ({ ...a, id: undefined })),
      [
        {
          id: undefined,
          ts: T0,
          time: "2026-01-05T08:00:00.000Z",
          severity: "warning",
          key: "liq_distance:g1",
          title: "Liquidation distance below 10%",
          message: "farm-01 short is 8.2% from liquidation",
          context: { group: "g1", wallet: "farm-01", venue: "simA", symbol: "BTC-PERP", action: "watching" },
          acknowledgedAt: null,
        },
        {
          id: undefined,
          ts: T0 + 3_600_000,
          time: "2026-01-05T09:00:00.000Z",
          severity: "emergency",
          key: "unhedged:g1",
          title: "Unhedged leg",
          message: "leg 2 failed",
          context: { group: "g1", action: "unwinding leg 1" },
          acknowledgedAt: null,
        },
      ],
    );
  });

  test("--limit keeps the newest, --since the later ones; text output is one line each", () => {
    const newest = JSON.parse(perpbot(["alerts", "--json", "--limit", "1"]).stdout) as { key: string }[];
    assert.deepEqual(
      newest.map((a) => a.key),
      ["unhedged:g1"],
    );
    const since = JSON.parse(perpbot(["alerts", "--json", "--since", String(T0 + 1)]).stdout) as {
      key: string;
    }[];
    assert.deepEqual(
      since.map((a) => a.key),
      ["unhedged:g1"],
    );
    assert.equal(perpbot(["alerts", "--limit", "0"]).code, 2);
    const text = perpbot(["alerts"]).stdout.trimEnd().split("\n");
    assert.equal(text.length, 2);
    assert.equal(
      text[1],
      '2026-01-05T09:00:00.000Z  EMERGENCY unhedged:g1  Unhedged leg: leg 2 failed  [group=g1 action="unwinding leg 1"]',
    );
  });
});
