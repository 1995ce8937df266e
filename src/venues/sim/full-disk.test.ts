import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { DbFileError } from "../../core/db-file-error.ts";
import { usd } from "../../core/money.ts";
import { VenueUnknownOutcomeError } from "../../core/venue.ts";
import { feedBook, harness, order, T0 } from "../../testing/sim.ts";
import type { SimVenue } from "./sim-venue.ts";

/**
 * D9 of issue 10: sim.db on a full disk. SQLite's `PRAGMA max_page_count` (per connection) makes
 * the file full at its current size, so every write that needs a new page fails with SQLITE_FULL
 * ("database or disk is full"), as a full disk does, and SQLite rolls the transaction back itself.
 */

const dir = mkdtempSync(join(tmpdir(), "perpbot-sim-full-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The venue's own connection: max_page_count holds only for the connection that sets it. */
function connectionOf(venue: SimVenue): DatabaseSync {
  return (venue as unknown as { store: { db: DatabaseSync } }).store.db;
}

test("a state change that cannot be saved takes the venue down cleanly; a restart with room resumes from the file", async () => {
  const dbPath = join(dir, "sim.db");
  const clock = new SimClock(T0);
  const failures: Error[] = [];
  const { venue } = harness({ dbPath, onStoreFailure: (e) => failures.push(e) }, clock);
  const btc = venue.instrument("BTC");
  venue.deposit("alice", usd(50_000));
  feedBook(venue, btc, 60_000, 1);
  const db = connectionOf(venue);
  const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages}`);

  // new accounts until one needs a page the file may not have
  let saved = 0;
  let failure: unknown;
  for (let i = 0; i < 5_000 && failure === undefined; i++) {
    try {
      venue.deposit(`w${String(i).padStart(5, "0")}-${"x".repeat(200)}`, usd(1));
      saved++;
    } catch (e) {
      failure = e;
    }
  }
  // the file's own problem, never "cannot rollback - no transaction is active"
  assert.ok(failure instanceof DbFileError, `got ${String(failure)}`);
  assert.equal(failure.problem, "full");
  assert.match(failure.message, /sim venue simA's state .*sim\.db: the disk is full/);
  assert.equal(db.isTransaction, false);
  assert.equal(failures.length, 1, "onStoreFailure hears it once");

  // down for good: requests fail as unavailable, the market feed and timers throw nothing
  await assert.rejects(venue.submit(order("BTC", "buy", 60_001, 100, { account: "alice" })), (e) => {
    assert.ok(e instanceof VenueUnknownOutcomeError);
    assert.equal(e.kind, "unavailable");
    assert.match(e.message, /state could not be saved.*disk is full/);
    return true;
  });
  assert.doesNotThrow(() => feedBook(venue, btc, 61_000, 1));
  await clock.runUntil(T0 + 2 * 3_600_000); // funding settlements on a venue that is down
  assert.equal(failures.length, 1);
  venue.close();

  // a new connection has room: the venue comes back as the file has it
  const again = harness({ dbPath }, clock);
  const accounts = again.venue.accountNames();
  assert.equal(accounts.length, saved + 1, "every saved deposit, not the failed one");
  assert.ok(accounts.includes("alice"));
  feedBook(again.venue, again.venue.instrument("BTC"), 60_000, 1);
  await again.venue.submit(order("BTC", "buy", 60_001, 100, { account: "alice" }));
  assert.equal((await again.venue.positions("alice"))[0]?.sizeLots, 100);
  again.venue.close();
});
