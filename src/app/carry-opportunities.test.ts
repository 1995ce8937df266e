import assert from "node:assert/strict";
import { after, test } from "node:test";
import { carryStarter } from "../testing/carry-harness.ts";

/**
 * The carry scanner's opportunity list (what the live snapshot carries to GET /api/opportunities
 * and the dashboard): after a scan, every evaluated base and venue direction with its net and the
 * gates it fails, best net first; the default rates (72 bps per 8 h, the harness's) are listed
 * long the lower rate, short the higher; a base held is no longer listed.
 */

const start = carryStarter(after);

test("a scan lists its evaluated pairs, best net first, with the gates each fails", async () => {
  const h = await start();
  await h.advance(14_000);
  const o = h.carry.view().opportunities as {
    ts: number;
    list: {
      base: string;
      long: string;
      short: string;
      yield8hBps: number;
      netBps: number;
      rejections: string[];
    }[];
  };
  assert.ok(o.ts > 0 && o.list.length > 0, JSON.stringify(o));
  const nets = o.list.map((x) => x.netBps);
  assert.deepEqual(
    nets,
    [...nets].sort((a, b) => b - a),
    "best net first",
  );
  const btc = o.list.find((x) => x.base === "BTC");
  assert.ok(btc, JSON.stringify(o.list));
  assert.deepEqual([btc.long, btc.short], ["simB", "simA"]);
  assert.ok(Math.abs(btc.yield8hBps - 72) < 1e-6, String(btc.yield8hBps));
  // early on the rate published on the stream is not fresh yet: the gate says so
  assert.deepEqual(btc.rejections, ["stale_rate"]);
  // once the position is open the base is held: later scans no longer list it
  await h.advance(60_000);
  assert.equal((await h.groups()).length, 1);
  const later = h.carry.view().opportunities as { ts: number; list: { base: string }[] };
  assert.ok(later.ts > o.ts);
  assert.ok(!later.list.some((x) => x.base === "BTC"), JSON.stringify(later.list));
  await h.stop();
});
