import assert from "node:assert/strict";
import { test } from "node:test";
import { withEdgexHarness } from "../../testing/edgex-conformance.ts";
import { orderOf } from "../conformance/harness.ts";
import { MAX_PAGE_SIZE, pageOf } from "./emulator/paging.ts";

/**
 * History past the first page: the emulator answers at most 100 rows a page (EdgeX's limit) and
 * a cursor for the rest, so a read that returns more than 100 rows has followed the cursor.
 */

test("edgex emulator paging: newest first, size ≤ 100, the cursor continues after the last row", () => {
  const rows = Array.from({ length: 250 }, (_, i) => ({ id: String(i + 1) }));
  const q = (o: Record<string, string>) => new URLSearchParams(o);
  const first = pageOf(rows, q({ size: "100" }), (r) => r.id);
  assert.ok(first.ok);
  assert.equal(first.dataList.length, 100);
  assert.equal(first.dataList[0].id, "250");
  assert.equal(first.nextPageOffsetData, "151");
  const second = pageOf(rows, q({ size: "100", offsetData: "151" }), (r) => r.id);
  assert.ok(second.ok);
  assert.deepEqual([second.dataList[0].id, second.nextPageOffsetData], ["150", "51"]);
  const last = pageOf(rows, q({ size: "100", offsetData: "51" }), (r) => r.id);
  assert.ok(last.ok);
  assert.deepEqual([last.dataList.length, last.dataList.at(-1)?.id, last.nextPageOffsetData], [50, "1", ""]);
  const big = pageOf(rows, q({ size: String(MAX_PAGE_SIZE + 1) }), (r) => r.id);
  assert.ok(!big.ok && /size 101: 1…100/.test(big.msg));
  const stale = pageOf(rows, q({ offsetData: "9999" }), (r) => r.id);
  assert.ok(!stale.ok && /offsetData 9999/.test(stale.msg));
});

test("edgex: 130 fills, 105 funding settlements and 105 open orders are read in full through the pages", async () => {
  await withEdgexHarness(
    async (h) => {
      const submitted: string[] = [];
      for (let i = 0; i < 130; i++) {
        const buy = i % 2 === 0;
        const o = orderOf(h, {
          side: buy ? "buy" : "sell",
          priceTicks: buy ? h.referenceTicks + 1 : h.referenceTicks - 1,
          sizeLots: h.unitLots,
          tif: "ioc",
        });
        submitted.push(o.clientOrderId);
        await h.venue.submit(o);
      }
      // one more buy leaves a position for funding to settle on
      await h.venue.submit(
        orderOf(h, { side: "buy", priceTicks: h.referenceTicks + 1, sizeLots: h.unitLots, tif: "ioc" }),
      );
      await h.settle();
      const onVenue = h.emulator.driver.fills(h.accountId).length;
      assert.equal(onVenue, 131, "each IOC filled once on the emulator");
      const fills = await h.venue.fills(h.account, 0);
      assert.equal(fills.length, 131, "every fill, not the first page of 100");
      const cids = new Set(fills.map((f) => f.clientOrderId));
      for (const c of submitted) assert.ok(cids.has(c), `the fill of ${c} is read with its client id`);
      for (let i = 1; i < fills.length; i++) assert.ok(fills[i - 1].ts <= fills[i].ts, "oldest first");

      for (let i = 0; i < 105; i++) await h.driver.settleFunding(0.0001);
      const funding = await h.venue.fundingPayments(h.account, 0);
      assert.equal(funding.length, 105, "every settlement, not the first page of 100");
      assert.ok(
        funding.every((p) => p.amount < 0),
        "a long pays positive funding",
      );

      const resting: string[] = [];
      for (let i = 0; i < 105; i++) {
        const o = orderOf(h, {
          side: "buy",
          priceTicks: h.referenceTicks - 50 - i,
          sizeLots: h.unitLots,
          tif: "gtc",
        });
        resting.push(o.clientOrderId);
        await h.venue.submit(o);
      }
      const open = await h.venue.openOrders(h.account);
      assert.deepEqual(open.map((o) => o.clientOrderId).sort(), resting.sort(), "all 105 open orders");
    },
    { depthUnits: 1000 },
  );
});
