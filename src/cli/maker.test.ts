import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { makerConfigFromFlags } from "../app/maker-run.ts";

const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function perpbot(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "perpbot-maker-cli-"));
  dirs.push(cwd);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("PERPBOT")) env[k] = v;
  const r = spawnSync(process.execPath, [BIN, "maker", ...args], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const base = ["--exchange", "simA", "--ticker", "ETH", "--quantity", "0.1"];

test("flags map onto the [maker] keys in the seed's units", () => {
  const c = makerConfigFromFlags(
    {
      exchange: "simA",
      ticker: "ETH",
      quantity: "0.1",
      takeProfit: "0.02",
      maxOrders: "40",
      waitTime: "450",
      gridStep: "-100",
      stopPrice: "-1",
      pausePrice: "4000",
      direction: "buy",
    },
    ["simA", "simB"],
  );
  assert.equal(c.take_profit_bps, 2);
  assert.equal(c.grid_step_bps, null);
  assert.equal(c.stop_price, null);
  assert.equal(c.pause_price, 4000);
  assert.deepEqual(c.markets, ["ETH"]);
  assert.equal(
    makerConfigFromFlags({ exchange: "simA", ticker: "ETH", quantity: "1", gridStep: "0.5" }, ["simA"])
      .grid_step_bps,
    50,
  );
});

test("bad arguments exit 2 with an error naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--exchange", "simA", "--ticker", "ETH", "--quantity", "-0.1"], /--quantity/],
    [[...base, "--take-profit", "0"], /--take-profit/],
    [["--exchange", "edgex", "--ticker", "ETH", "--quantity", "0.1"], /--exchange "edgex".*known: simA/],
    [[...base, "--stop-price", "1"], /--stop-price 1 is on the wrong side for --direction buy/],
    [[...base, "--direction", "up"], /--direction/],
    [[...base, "--ticker", "XYZ"], /--ticker "XYZ"/],
  ];
  for (const [args, re] of cases) {
    const r = perpbot(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.err}`);
    assert.match(r.err, re, args.join(" "));
  }
});

test("perpbot maker runs one instance on paper and prints its status line", () => {
  const r = perpbot([...base, "--wait-time", "1", "--status-every", "1", "--duration", "3"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /perpbot maker \(paper\): simA ETH buy 0.1/);
  assert.match(r.out, /maker maker: 1 lane on simA/);
  assert.match(r.out, /volume \$[\d.]+ \(maker/);
});

test("bad flags: each problem names its flag, all of them at once", async () => {
  const { checkLinesAgainstMarket } = await import("../app/maker-run.ts");
  const venues = ["simA", "simB"];
  const bad = (f: Parameters<typeof makerConfigFromFlags>[0], re: RegExp) =>
    assert.throws(() => makerConfigFromFlags(f, venues), re, JSON.stringify(f));
  const ok = { exchange: "simA", ticker: "ETH", quantity: "0.1" };
  bad({ ...ok, quantity: "-0.1" }, /--quantity: .*greater than 0|--quantity: Too small/);
  bad({ ...ok, quantity: "0" }, /--quantity/);
  bad({ ...ok, quantity: "abc" }, /--quantity must be a number, got "abc"/);
  bad({ ...ok, takeProfit: "0" }, /--take-profit/);
  bad({ ...ok, takeProfit: "-0.02" }, /--take-profit/);
  bad(
    { ...ok, exchange: "edgex" },
    /--exchange "edgex" is not a venue of this process \(known: simA, simB\)/,
  );
  bad({ ticker: "ETH", quantity: "0.1" }, /--exchange is required/);
  bad({ exchange: "simA", quantity: "0.1" }, /--ticker is required/);
  bad({ ...ok, maxOrders: "0" }, /--max-orders/);
  bad({ ...ok, maxOrders: "2.5" }, /--max-orders/);
  bad({ ...ok, waitTime: "-1" }, /--wait-time/);
  bad({ ...ok, direction: "long" }, /--direction/);
  // a pause line beyond the stop line: the pause must come first
  bad({ ...ok, stopPrice: "3600", pausePrice: "3700" }, /--pause-price: must be at or below stop_price/);
  // several problems: every one is reported
  assert.throws(
    () => makerConfigFromFlags({ exchange: "edgex", ticker: "ETH", quantity: "-1", takeProfit: "0" }, venues),
    (e: Error) =>
      /--exchange/.test(e.message) && /--quantity/.test(e.message) && /--take-profit/.test(e.message),
  );
  // stop and pause lines already reached at launch, both directions
  const buy = makerConfigFromFlags({ ...ok, stopPrice: "3400" }, venues);
  assert.throws(
    () => checkLinesAgainstMarket(buy, 3499.9, 3500),
    /--stop-price 3400 is on the wrong side for --direction buy: it must be above the ask \(3500\)/,
  );
  const sell = makerConfigFromFlags({ ...ok, direction: "sell", stopPrice: "3600" }, venues);
  assert.throws(
    () => checkLinesAgainstMarket(sell, 3499.9, 3500),
    /--stop-price 3600 is on the wrong side for --direction sell: it must be below the bid \(3499.9\)/,
  );
  const pause = makerConfigFromFlags({ ...ok, direction: "sell", pausePrice: "3600" }, venues);
  assert.throws(
    () => checkLinesAgainstMarket(pause, 3499.9, 3500),
    /--pause-price 3600 is on the wrong side for --direction sell/,
  );
  assert.doesNotThrow(() =>
    checkLinesAgainstMarket(makerConfigFromFlags({ ...ok, stopPrice: "3600" }, venues), 3499.9, 3500),
  );
});

test("bad arguments on the command line: a sell bot's stop price below the market and a missing --exchange exit 2 naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [
      [...base, "--direction", "sell", "--stop-price", "100000"],
      /--stop-price 100000 is on the wrong side for --direction sell: it must be below the bid/,
    ],
    [["--ticker", "ETH", "--quantity", "0.1"], /--exchange is required/],
  ];
  for (const [args, re] of cases) {
    const r = perpbot(args);
    assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.err}`);
    assert.match(r.err, re, args.join(" "));
  }
});
