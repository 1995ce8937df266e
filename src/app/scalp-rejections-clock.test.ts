import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ScalpHarness } from "../testing/scalp-harness.ts";

/**
 * Entry rejections on the simulated clock that scalp-scenarios.test.ts does not reach: each
 * counted under its reason in view(), and what stopped the entry (it follows once the cause is
 * gone). Venues as there: simA BTC, simB BTCUSDT, $2,200 on each.
 */
const harnesses: ScalpHarness[] = [];
after(() => {
  for (const h of harnesses) h.remove();
});

test("no_book: a venue with no book for the pair; nothing opens until its book arrives", async () => {
  // simB 60 bps above simA once it publishes: an edge of about 49 bps
  const h = await ScalpHarness.start({ books: { simB: { mid: 100_600 } }, silent: ["simB"] });
  harnesses.push(h);
  await h.advance(2000);
  const rejections = h.scalp.view().rejections as Record<string, number>;
  // simA publishes every 100 ms: each of its updates re-prices the pair and is refused
  assert.ok(rejections.no_book >= 15, JSON.stringify(rejections));
  assert.deepEqual(Object.keys(rejections), ["no_book"], "the first gate, so the only reason");
  assert.deepEqual(await h.groups(), [], "no group");
  assert.deepEqual(await h.positions(), {}, "nothing on either venue");
  assert.deepEqual(h.scalp.view().pairs, ["BTC:simA:simB"], "kept: sanity_max_wait_s has not passed");
  h.frozen.delete("simB");
  await h.advance(1000);
  const gs = await h.groups();
  assert.equal(gs.length, 1, JSON.stringify(h.scalp.rejections));
  assert.equal(gs[0].status, "open");
  const later = h.scalp.view().rejections as Record<string, number>;
  assert.ok(later.no_book - rejections.no_book <= 1, "no more no_book once simB publishes");
  await h.stop();
});
