import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatStatus } from "../../cli/commands/status.ts";
import { openStore } from "../../store/store.ts";
import { loadStatusReport } from "./status.ts";
import { NO_POINTS, POINTS_NOT_READ, withPoints } from "./status-points.ts";
import {
  readStoredVenuePoints,
  readVenuePoints,
  VENUE_POINTS_KV_KEY,
  writeVenuePoints,
} from "./venue-points.ts";

test("venue points the live process stored show per wallet, per venue and in total, with when they were read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-points-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    const now = Date.UTC(2026, 11, 1, 15, 0);
    const before = await loadStatusReport(store, { now, recent: 5 });
    assert.doesNotMatch(formatStatus(before), /points/, "nothing traded, nothing read: no points lines");
    const points = [
      { venue: "lighter", account: "w02", total: 12.5, lastWeek: 3.25, ts: now - 120_000 },
      { venue: "lighter", account: "w01", total: 1234.567, lastWeek: 100, ts: now - 60_000 },
    ];
    await writeVenuePoints(store, points, now, ["lighter"]);
    assert.deepEqual(await readVenuePoints(store), points);
    const report = await loadStatusReport(store, { now, recent: 5 });
    assert.deepEqual(
      report.wallets.map((w) => [w.wallet, w.venue, w.points?.total, w.points?.lastWeek, w.points?.ts]),
      [
        ["w01", "lighter", 1234.567, 100, now - 60_000],
        ["w02", "lighter", 12.5, 3.25, now - 120_000],
      ],
    );
    const sum = {
      total: 1247.067,
      lastWeek: 103.25,
      wallets: 2,
      oldestTs: now - 120_000,
      newestTs: now - 60_000,
    };
    assert.deepEqual(
      report.venues.map((v) => [v.venue, v.points]),
      [["lighter", sum]],
    );
    assert.deepEqual(report.points, { points: sum });
    const text = formatStatus(report);
    assert.match(text, /volume .* cost\/\$1M +points/);
    assert.match(text, /^ {2}w01 +lighter .* 1234\.57 \(read 2026-12-01 14:59Z\)$/m);
    assert.match(text, /^ {2}w02 +lighter .* 12\.50 \(read 2026-12-01 14:58Z\)$/m);
    assert.match(
      text,
      /^ {2}lighter +volume .* points 1247\.07 over 2 wallets \(read 2026-12-01 14:58Z to 2026-12-01 14:59Z\)$/m,
    );
    assert.match(text, /^points: 1247\.07 over 2 wallets \(read 2026-12-01 14:58Z to 2026-12-01 14:59Z\)$/m);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a value stored before `sources` existed names its venues; an unreadable one is no points", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-points-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    const p = { venue: "lighter", account: "w01", total: 1, lastWeek: 1, ts: 5 };
    await store.kv.put(VENUE_POINTS_KV_KEY, JSON.stringify({ ts: 5, points: [p] }), 5);
    assert.deepEqual(await readStoredVenuePoints(store), { points: [p], sources: ["lighter"] });
    await store.kv.put(VENUE_POINTS_KV_KEY, JSON.stringify({ ts: 5, points: [{ venue: "lighter" }] }), 6);
    assert.deepEqual(await readStoredVenuePoints(store), { points: [], sources: [] });
    await store.kv.put(VENUE_POINTS_KV_KEY, "{not json", 7);
    assert.deepEqual(await readStoredVenuePoints(store), { points: [], sources: [] });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("beside a venue with points: its unread wallets say so, a venue without an endpoint says n/a", () => {
  const row = (wallet: string, venue: string) => ({ wallet, venue, volumeUsd: 100 });
  const out = withPoints(
    {
      wallets: [row("w1", "lighter"), row("w2", "lighter"), row("w1", "hyperliquid")],
      venues: [{ venue: "hyperliquid" }, { venue: "lighter" }],
    },
    {
      points: [
        { venue: "lighter", account: "w1", total: 7, lastWeek: 2, ts: 10 },
        // a value a venue without an endpoint cannot have: ignored
        { venue: "hyperliquid", account: "w1", total: 99, lastWeek: 9, ts: 10 },
        // a wallet with points and no groups gets rows of zeros
        { venue: "lighter", account: "w3", total: 1, lastWeek: 0, ts: 20 },
      ],
      sources: ["lighter"],
    },
    { wallet: (wallet, venue) => ({ wallet, venue, volumeUsd: 0 }), venue: (venue) => ({ venue }) },
  );
  assert.deepEqual(
    out.wallets.map((w) => [w.wallet, w.venue, w.volumeUsd, w.points?.total ?? w.pointsNote]),
    [
      ["w1", "hyperliquid", 100, NO_POINTS],
      ["w1", "lighter", 100, 7],
      ["w2", "lighter", 100, POINTS_NOT_READ],
      ["w3", "lighter", 0, 1],
    ],
  );
  assert.deepEqual(
    out.venues.map((v) => [v.venue, v.points?.total ?? v.pointsNote, v.points?.wallets]),
    [
      ["hyperliquid", NO_POINTS, undefined],
      ["lighter", 8, 2],
    ],
  );
  assert.deepEqual(out.points, { points: { total: 8, lastWeek: 2, wallets: 2, oldestTs: 10, newestTs: 20 } });
  const none = withPoints(
    { wallets: [row("w1", "lighter")], venues: [{ venue: "lighter" }] },
    { points: [], sources: ["lighter"] },
    { wallet: (wallet, venue) => ({ wallet, venue, volumeUsd: 0 }), venue: (venue) => ({ venue }) },
  );
  assert.deepEqual(
    [none.wallets[0].pointsNote, none.venues[0].pointsNote, none.points],
    [POINTS_NOT_READ, POINTS_NOT_READ, { pointsNote: POINTS_NOT_READ }],
  );
});
