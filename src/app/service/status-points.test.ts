import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { formatStatus } from "../../cli/commands/status.ts";
import { openStore } from "../../store/store.ts";
import { loadStatusReport } from "./status.ts";
import { readVenuePoints, writeVenuePoints } from "./venue-points.ts";

test("venue points the live process stored show per wallet in the report and as a column of its text", async () => {
  const dir = mkdtempSync(join(tmpdir(), "perpbot-status-points-"));
  const store = await openStore(`sqlite:${join(dir, "s.db")}`);
  try {
    const now = Date.now();
    const before = await loadStatusReport(store, { now, recent: 5 });
    assert.doesNotMatch(formatStatus(before), /points/, "no column while no venue reports points");
    const points = [
      { venue: "lighter", account: "w02", total: 12.5, lastWeek: 3.25, ts: now - 60_000 },
      { venue: "lighter", account: "w01", total: 1234.567, lastWeek: 100, ts: now - 60_000 },
    ];
    await writeVenuePoints(store, points, now);
    assert.deepEqual(await readVenuePoints(store), points);
    const report = await loadStatusReport(store, { now, recent: 5 });
    assert.deepEqual(
      report.wallets.map((w) => [w.wallet, w.venue, w.points?.total, w.points?.lastWeek]),
      [
        ["w01", "lighter", 1234.567, 100],
        ["w02", "lighter", 12.5, 3.25],
      ],
    );
    const text = formatStatus(report);
    assert.match(text, /volume .* points/);
    assert.match(text, /w01 +lighter .* 1234\.57\n/);
    assert.match(text, /w02 +lighter .* 12\.50/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
