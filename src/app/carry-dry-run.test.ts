import assert from "node:assert/strict";
import { after, test } from "node:test";
import { carryStarter } from "../testing/carry-harness.ts";

const start = carryStarter(after);

test("dry_run: carry reads the markets and logs the entry it would place; nothing reaches a venue", async () => {
  const lines: string[] = [];
  const h = await start({
    carry: { dry_run: true },
    log: (i, level, msg) => lines.push(`${i} ${level} ${msg}`),
  });
  const sinks = () =>
    [h.venues.simA.sinks(), h.venues.simB.sinks()].map((s) =>
      JSON.stringify(s, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
  const before = sinks();
  await h.advance(60_000);
  assert.deepEqual(await h.groups(), [], "no group: nothing was opened");
  assert.deepEqual(await h.positions(), {}, "no position on either venue");
  const would = lines.filter((l) => l.includes("would place group"));
  assert.ok(would.length >= 1, lines.join("\n"));
  assert.match(
    would[0],
    /^carry_a info dry run: would place group \S+: buy 1 lots simB:BTCUSDT \(c1\) \+ sell 100 lots simA:BTC \(c1\)$/,
  );
  assert.deepEqual(sinks(), before, "the venues' books of fees and funding did not move");
  // the same minutes without dry_run open that group: the dry run decided exactly what a live one would
  const live = await start();
  await live.advance(60_000);
  assert.deepEqual(await live.positions(), { "simB:BTCUSDT": 1, "simA:BTC": -100 });
  await live.stop();
  await h.stop();
});
