import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PairsReport } from "../app/pairs.ts";
import { runCli } from "../testing/cli-run.ts";

/**
 * `perpbot pairs --json` as a process prints it (src/app/pairs.test.ts tests the function): one
 * JSON object on stdout, its shape, and each drop reason the config causes on the simulated
 * catalogue (BTC, ETH, SOL, DOGE on simA; BTCUSDT, ETHUSDT, SOLUSDT, DOGEUSDT on simB).
 */
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CONFIG = `
[strategies.carry_a]
kind = "carry"
min_volume_24h_usd = 250000
pairs = { blocked_bases = ["DOGE"], blocked_symbols = ["simB:SOLUSDT"], blocked_patterns = ["^ETH"] }

[strategies.scalp_a]
kind = "scalp"
pairs = { allowlist = ["SOL"] }
`;

function pairs(cwd: string, ...args: string[]) {
  return runCli(cwd, ["pairs", ...args]);
}

function dirWith(toml: string): string {
  const d = mkdtempSync(join(tmpdir(), "perpbot-pairs-cli-"));
  dirs.push(d);
  writeFileSync(join(d, "perpbot.toml"), toml);
  return d;
}

const dropsOf = (r: PairsReport) =>
  r.discovery.dropped.map((d) => `${d.venue ?? "*"}:${d.symbol ?? d.base}:${d.reason}`).sort();

test("perpbot pairs --json: one object with the source, settings, venues, tradable pairs and every drop with its reason", () => {
  const cwd = dirWith(CONFIG);
  const out = pairs(cwd, "--json");
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout) as PairsReport;
  assert.deepEqual(Object.keys(r).sort(), ["discovery", "instance", "minVolume24hUsd", "source", "venues"]);
  assert.deepEqual(Object.keys(r.discovery).sort(), ["dropped", "pairs"]);
  // the first instance with a pairs table, its volume floor with it
  assert.equal(r.instance, "carry_a");
  assert.equal(r.minVolume24hUsd, 250_000);
  assert.deepEqual(r.venues, ["simA", "simB"]);
  assert.match(r.source, /^paper: the simulated venues' catalogue \(simA, simB\)/);
  // BTC is the one base left on two venues: one leg per venue, sorted, with a finite unit mid
  assert.deepEqual(
    r.discovery.pairs.map((p) => [p.base, p.legs.map((l) => [l.venue, l.symbol, l.base, l.multiplier])]),
    [
      [
        "BTC",
        [
          ["simA", "BTC", "BTC", 1],
          ["simB", "BTCUSDT", "BTC", 1],
        ],
      ],
    ],
  );
  for (const l of r.discovery.pairs[0].legs) {
    assert.ok(Number.isFinite(l.unitMid) && l.unitMid > 10_000, `${l.venue}: unit mid ${l.unitMid}`);
    // the simulator publishes no volume, so the floor drops nothing and no leg carries one
    assert.equal(l.volume24hUsd, undefined);
  }
  assert.deepEqual(dropsOf(r), [
    "*:SOL:single_venue",
    "simA:DOGE:blocked_base",
    "simA:ETH:blocked_pattern",
    "simB:DOGEUSDT:blocked_base",
    "simB:ETHUSDT:blocked_pattern",
    "simB:SOLUSDT:blocked_symbol",
  ]);
  // every drop says why in words, naming the rule that matched
  const detail = new Map(
    r.discovery.dropped.map((d) => [`${d.venue ?? "*"}:${d.symbol ?? d.base}`, d.detail]),
  );
  assert.equal(detail.get("simA:DOGE"), "base DOGE is in blocked_bases");
  assert.equal(detail.get("simB:ETHUSDT"), "symbol ETHUSDT matches blocked pattern ^ETH");
  assert.equal(detail.get("simB:SOLUSDT"), "simB:SOLUSDT is in blocked_symbols");
  assert.equal(detail.get("*:SOL"), "only simA lists SOL (after filters)");
  for (const d of r.discovery.dropped) {
    assert.deepEqual(
      Object.keys(d).sort(),
      d.reason === "single_venue"
        ? ["base", "detail", "reason"]
        : ["base", "detail", "reason", "symbol", "venue"],
    );
  }
});

test("perpbot pairs --json --instance: that instance's table (an allowlist drops the rest as not_allowlisted); an unknown instance is a usage error", () => {
  const cwd = dirWith(CONFIG);
  const out = pairs(cwd, "--json", "--instance", "scalp_a");
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout) as PairsReport;
  assert.equal(r.instance, "scalp_a");
  assert.equal(r.minVolume24hUsd, 0);
  assert.deepEqual(
    r.discovery.pairs.map((p) => p.base),
    ["SOL"],
  );
  assert.deepEqual(dropsOf(r), [
    "simA:BTC:not_allowlisted",
    "simA:DOGE:not_allowlisted",
    "simA:ETH:not_allowlisted",
    "simB:BTCUSDT:not_allowlisted",
    "simB:DOGEUSDT:not_allowlisted",
    "simB:ETHUSDT:not_allowlisted",
  ]);

  const unknown = pairs(cwd, "--json", "--instance", "nope");
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stdout, "", "no half report on stdout");
  assert.match(
    unknown.stderr,
    /no instance \[strategies\.nope\] in the config \(instances: carry_a, scalp_a\)/,
  );
});
