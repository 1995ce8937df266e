import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { DbFileError } from "../core/db-file-error.ts";
import { openStore, storeInternals } from "../store/store.ts";
import { ACCOUNTS, FAST, makeWorld, pairLegs, positionLots } from "../testing/engine.ts";
import { Engine } from "./executor.ts";
import { JournalError } from "./journal/journal.ts";

/**
 * D9 of issue 10: the store's disk fills up while the engine trades. SQLite's
 * `PRAGMA max_page_count` (per connection) makes the file full at its size, so the journal's
 * commit fails with SQLITE_FULL as on a full disk. The engine halts, says so once, throws nothing
 * uncaught afterwards (venue events keep arriving for orders it can no longer journal), and a
 * new connection with room starts again from what was committed.
 */

function journalFailed(e: unknown): { ok: false } {
  if (!(e instanceof JournalError)) throw e;
  return { ok: false };
}

const IOC = { kind: "ioc", maxSlippageBps: 20 } as const;

test("a journal commit on a full store halts the engine cleanly; a restart with room recovers", async () => {
  const w = await makeWorld();
  try {
    const failed: Error[] = [];
    w.engine.onJournalFailed((e) => failed.push(e));
    // a bid resting below the market on w3: it fills after the journal failed (below)
    const bid = w.simA.book("BTC").bestBidTicks()!;
    const resting = await w.drive(
      w.engine.placeOrder({
        strategy: "maker",
        intentId: "resting",
        venue: "simA",
        account: "w3",
        symbol: "BTC",
        side: "buy",
        sizeLots: 1000,
        priceTicks: bid - 5,
        type: "limit",
        tif: "gtc",
        reduceOnly: false,
      }),
    );
    assert.equal(resting.ok, true, JSON.stringify(resting));
    const { db } = storeInternals(w.store);
    const pages = (await sql<{ page_count: number }>`PRAGMA page_count`.execute(db)).rows[0].page_count;
    await sql.raw(`PRAGMA max_page_count = ${pages}`).execute(db);

    // open and close pairs until a commit needs a page the file may not have
    let opened = 0;
    for (let i = 0; i < 400 && w.engine.journalFailure === undefined; i++) {
      const id = `g${i}`;
      // the operation the failed commit belonged to rejects with the JournalError
      // (caught before drive() awaits it: a rejection must be handled the moment it happens)
      const out = await w.drive(
        w.engine
          .openGroup(pairLegs(), { groupId: id, strategy: "farm", entry: IOC, fillTimeoutMs: 5_000 })
          .catch(journalFailed),
      );
      if (out.ok) {
        opened++;
        await w.drive(w.engine.closeGroup(id, "manual").catch(journalFailed));
      }
    }
    assert.ok(w.engine.journalFailure !== undefined, "the store never filled up");
    assert.ok(opened > 0);
    assert.equal(w.engine.tradingState, "HALTED");
    assert.equal(failed.length, 1, "the failure is reported once");
    const explained = w.store.explainError(failed[0].cause);
    assert.ok(explained instanceof DbFileError, String(explained));
    assert.equal(explained.problem, "full");
    assert.equal(w.alerts.filter((a) => a.key === "engine.journal_failed").length, 1);

    // the venues go on (fills of orders in flight, funding, reconcile timers): nothing escapes,
    // not even the fill of the resting bid, which the journal can no longer record
    w.mid.simA -= 100;
    await w.advance(10_000);
    assert.equal(await positionLots(w.simA, "w3", "BTC"), 1000, "the resting bid filled on the venue");
    const refused = await w.engine.openGroup(pairLegs(), {
      groupId: "after",
      strategy: "farm",
      entry: IOC,
      fillTimeoutMs: 5_000,
    });
    assert.equal(refused.ok, false);
    await w.engine.stop();

    // a restart on a connection with room: the committed groups are there and trading resumes
    const store = await openStore(`sqlite:${w.dir}/engine.db`);
    try {
      const accounts = ACCOUNTS.flatMap((account) => [
        { venue: "simA", account },
        { venue: "simB", account },
      ]);
      const engine = new Engine({
        store,
        venues: w.venues,
        clock: w.clock,
        alerts: w.bus,
        settings: FAST,
        accounts,
      });
      await w.drive(engine.start());
      assert.equal(engine.tradingState, "ACTIVE");
      const groups = await engine.groups();
      assert.ok(groups.length >= opened, `${groups.length} groups after the restart, ${opened} opened`);
      const again = await w.drive(
        engine.openGroup(pairLegs(), {
          groupId: "resumed",
          strategy: "farm",
          entry: IOC,
          fillTimeoutMs: 5_000,
        }),
      );
      assert.equal(again.ok, true);
      await engine.stop();
    } finally {
      await store.close();
    }
  } finally {
    await w.close();
  }
});
