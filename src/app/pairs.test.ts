import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import "./sections.ts";
import { loadConfig } from "../config/load.ts";
import { formatPairs, paperPairs } from "./pairs.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function load(toml: string) {
  const d = mkdtempSync(join(tmpdir(), "perpbot-pairs-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return loadConfig({ cwd: d, env: {} }).values;
}

test("perpbot pairs (paper): the simulated catalogue, with the carry instance's blocklist applied", () => {
  const values = load(
    '[strategies.carry_a]\nkind = "carry"\npairs = { blocked_bases = ["DOGE"], blocked_symbols = ["simB:SOLUSDT"] }\n',
  );
  const r = paperPairs(values);
  assert.equal(r.instance, "carry_a");
  assert.deepEqual(
    r.discovery.pairs.map((p) => [p.base, p.legs.map((l) => `${l.venue}:${l.symbol}`)]),
    [
      ["BTC", ["simA:BTC", "simB:BTCUSDT"]],
      ["ETH", ["simA:ETH", "simB:ETHUSDT"]],
    ],
  );
  const why = r.discovery.dropped.map((d) => `${d.venue ?? "*"}:${d.symbol ?? d.base}:${d.reason}`).sort();
  assert.deepEqual(why, [
    "*:SOL:single_venue",
    "simA:DOGE:blocked_base",
    "simB:DOGEUSDT:blocked_base",
    "simB:SOLUSDT:blocked_symbol",
  ]);
  assert.match(formatPairs(r), /simB:SOLUSDT\s+blocked_symbol/);
});
