import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Rng } from "../../core/random.ts";
import { isScannedBook, scanBookFrame } from "./book-scan.ts";
import { BookSchema, FeedFrameSchema } from "./parse.ts";

const FIXTURES = JSON.parse(readFileSync(new URL("./fixtures/payloads.json", import.meta.url), "utf8"));

/** the frame as the JSON way reads it: FeedFrameSchema, its feed through BookSchema */
const zodOf = (text: string) => {
  const json = JSON.parse(text);
  return { ...FeedFrameSchema.parse(json), feed: BookSchema.parse(json.feed) };
};

const same = (text: string) => {
  const scanned = scanBookFrame(text);
  assert.ok(scanned !== undefined, `scanned: ${text.slice(0, 120)}`);
  assert.ok(isScannedBook(scanned.feed));
  assert.deepEqual({ ...scanned, feed: { ...scanned.feed } }, zodOf(text));
};

test("the direct reader gives zod's frame for the recorded v1.book.s, delta frames and generated books", () => {
  same(JSON.stringify(FIXTURES.ws_book_s));
  // a v1.book.d delta as the emulator sends it: removals at "0", no num_orders, sequence > 2^53
  same(
    '{"stream":"v1.book.d","selector":"BTC_USDT_Perp@100","sequence_number":"18446744073709551615","feed":{"event_time":"1767292408400000000","instrument":"BTC_USDT_Perp","bids":[{"price":"88107.3","size":"0"}],"asks":[]},"prev_sequence_number":"18446744073709551614"}',
  );
  // keys in another order, no prev_sequence_number, num_orders as text, negative decimal
  same(
    '{"stream":"v1.book.s","feed":{"asks":[{"price":"1.5","size":"-2","num_orders":"3"}],"bids":[],"instrument":"ETH_USDT_Perp","event_time":"0"},"sequence_number":"7","selector":"ETH_USDT_Perp@500-10"}',
  );
  const rng = new Rng(3);
  const rnd = () => rng.next();
  for (let i = 0; i < 200; i++) {
    const side = (dir: number) =>
      Array.from({ length: Math.floor(rnd() * 60) }, (_, k) => ({
        price: (90_000 + dir * (0.1 + k / 10)).toFixed(1),
        size: (rnd() * 3).toFixed(3),
        num_orders: Math.floor(rnd() * 40),
      }));
    const text = JSON.stringify({
      stream: i % 2 === 0 ? "v1.book.s" : "v1.book.d",
      selector: "BTC_USDT_Perp@500-50",
      sequence_number: String(i),
      feed: {
        event_time: `${1_767_292_408_400 + i}000000`,
        instrument: "BTC_USDT_Perp",
        bids: side(-1),
        asks: side(1),
      },
      prev_sequence_number: String(Math.max(0, i - 1)),
    });
    same(text);
  }
});

test("odd frames are left to JSON + zod: other streams, whitespace, extra keys, numbers for decimals, escapes, non-ASCII", () => {
  const base = JSON.stringify(FIXTURES.ws_book_s);
  const odd = [
    JSON.stringify(FIXTURES.ws_book_s, null, 2),
    base.replace('"v1.book.s"', '"v1.ticker.s"'),
    base.replace('"prev_sequence_number":"0"', '"prev_sequence_number":"0","x":1'),
    base.replace('"instrument":"BTC_USDT_Perp"', '"instrument":"BTC_USDT_Perp","extra":true'),
    base.replace('"price":"88107.3"', '"price":88107.3'),
    base.replace('"size":"5.322"', '"size":"5.3e0"'),
    base.replace('"sequence_number":"0"', '"sequence_number":0'),
    base.replace('"sequence_number":"0"', '"sequence_number":"-1"'),
    base.replace('"num_orders":11', '"num_orders":11.5'),
    base.replace('"num_orders":11', '"num_orders":11,"x":1'),
    base.replace('"instrument":"BTC_USDT_Perp"', '"instrument":"BTC\\u005fUSDT_Perp"'),
    base.replace('"instrument":"BTC_USDT_Perp"', '"instrument":"BTC_USDT_Pérp"'),
    base.replace('"size":"5.322","num_orders":11', '"num_orders":11,"size":"5.322"'),
    base.replace('"sequence_number":"0"', '"sequence_number":"0","sequence_number":"1"'),
    base.slice(0, -1),
    `${base}\n`,
  ];
  for (const text of odd) assert.equal(scanBookFrame(text), undefined, text);
  // the JSON way still reads the valid ones as before, and names a bad field
  assert.deepEqual(zodOf(odd[0]), zodOf(base));
  assert.equal(zodOf(odd[10]).feed.instrument, "BTC_USDT_Perp");
  assert.equal(zodOf(odd[6]).sequence_number, 0n);
  assert.throws(() => BookSchema.parse(JSON.parse(odd[4]).feed), /price/);
});
