import assert from "node:assert/strict";
import { after, test } from "node:test";
import { pairsSchema } from "../strategies/pairs/config.ts";
import { ScalpHarness, type ScalpHarnessOptions } from "../testing/scalp-harness.ts";

/**
 * A scalp node stopped and started again on the same store and venue files (STRATEGIES.md 2.3:
 * "hold clock reset on restart -> durable, persisted entry time"): the held position resumes with
 * its persisted entry time, so `max_hold_hours` counts from the entry, not from the restart, and
 * a base bad-listed before the stop stays blocked after it.
 */
const harnesses: ScalpHarness[] = [];
after(async () => {
  for (const h of harnesses) await h.stop();
  for (const h of harnesses) h.remove();
});
const SEC = 1000;
const MIN = 60_000;
const MAX_HOLD_MS = 0.167 * 3_600_000;

test("restart: the held position's time limit counts from its persisted entry; a bad-listed base stays blocked", async () => {
  const o: ScalpHarnessOptions = {
    books: { simB: { mid: 100_600 } },
    eth: {},
    scalp: { pairs: pairsSchema.parse({ allowlist: ["BTC", "ETH"] }) },
  };
  const h = await ScalpHarness.start(o);
  harnesses.push(h);
  // BTC: entered, then stopped out -> bad-listed for bad_symbol_s (30 min)
  await h.advance(SEC);
  const [btc] = await h.groups();
  assert.equal(btc?.status, "open", `BTC entered (rejections ${JSON.stringify(h.scalp.rejections)})`);
  h.books.simB.mid = 101_200;
  await h.advance(SEC);
  assert.equal((await h.groups())[0].closeReason, "stop_loss");
  // ETH: simB 60 bps dear; the entry waits for the jump to leave the 5 s volatility window
  h.ethBooks!.simB.mid = 3_521;
  await h.advance(8 * SEC);
  const eth = (await h.groups()).find((g) => g.meta.base === "ETH");
  assert.equal(eth?.status, "open", `ETH entered (rejections ${JSON.stringify(h.scalp.rejections)})`);
  const openedAt = h.scalp.positions.get(eth.id)!.openedAt;
  assert.deepEqual((h.scalp.view().blocked as { bad: string[] }).bad, ["BTC"]);
  // three minutes in, the node stops; two minutes pass with nothing running
  await h.advance(3 * MIN);
  const { dir, clock } = h;
  await h.stop();
  await clock.advance(2 * MIN);
  // the market as it was at the stop: BTC 120 bps apart, ETH 60
  const again = await ScalpHarness.start({
    ...o,
    books: { simB: { mid: 101_200 } },
    eth: { simB: { mid: 3_521 } },
    dir,
    clock,
  });
  harnesses.push(again);
  const resumed = again.scalp.positions.get(eth.id);
  assert.ok(resumed !== undefined, "the ETH position is resumed from the state slot");
  assert.equal(resumed.openedAt, openedAt, "with its persisted entry time");
  assert.deepEqual((again.scalp.view().blocked as { bad: string[] }).bad, ["BTC"], "BTC still bad-listed");
  // still 120 bps apart (within max_edge_bps), BTC is refused as bad-listed, never entered
  await again.advance(10 * SEC);
  assert.ok((again.scalp.rejections.bad_symbol ?? 0) > 0, JSON.stringify(again.scalp.rejections));
  // the time limit: from the entry (about 10 min in), not 10 min after the restart
  await again.advance(openedAt + MAX_HOLD_MS - 5 * SEC - again.clock.now());
  assert.equal((await again.groups()).find((g) => g.id === eth.id)?.status, "open", "not yet");
  await again.advance(7 * SEC);
  const done = (await again.groups()).find((g) => g.id === eth.id)!;
  assert.equal(done.status, "closed", `closed at the limit (status ${done.status})`);
  assert.equal(done.closeReason, "time_limit");
  assert.ok(
    done.closedAt! - openedAt >= MAX_HOLD_MS && done.closedAt! - openedAt <= MAX_HOLD_MS + 2 * SEC,
    `closed ${(done.closedAt! - openedAt) / SEC} s after the entry`,
  );
  const btcGroups = (await again.groups()).filter((g) => g.meta.base === "BTC");
  assert.equal(btcGroups.length, 1, "no BTC entry after the restart");
  assert.deepEqual(
    Object.keys(await again.positions()).filter((k) => k.includes("ETH")),
    [],
    "ETH flat on both venues",
  );
  await again.stop();
});
