import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../../core/clock.ts";
import { signerFromKeyBytes } from "../../../wallets/signer.ts";
import { JwtSession } from "../auth.ts";
import { accruedFunding } from "../funding.ts";
import { ParadexHttp } from "../http.ts";
import { placeOrder } from "../orders.ts";
import { FundingPaymentsSchema } from "../parse.ts";
import { ParadexSocket } from "../ws.ts";
import { startParadexEmulator } from "./start.ts";

const ACCOUNT = "0x5f01";

test("emulator funding accrues continuously: every step pays rate × step / funding_period_hours, as funding.ts says", async () => {
  const clock = new SimClock(Date.UTC(2026, 11, 1));
  // a 1-minute accrual step, settled by the funding clock as simulated time passes
  const emu = await startParadexEmulator({ clock, scheduledFunding: true, accrualMs: 60_000 });
  const signer = signerFromKeyBytes("stark", Buffer.alloc(32, 5), "funding test");
  emu.driver.onboard(ACCOUNT, `0x${signer.publicKey}`);
  emu.driver.fund(ACCOUNT, 100_000);
  emu.driver.setBook({ symbol: "BTC-USD-PERP", bidPx: 59_999.9, askPx: 60_000, qty: 5 });
  const http = new ParadexHttp(emu.url, 3000);
  const session = new JwtSession({ http, clock, signer, account: ACCOUNT, chain: emu.chain });
  const sock = await ParadexSocket.open(emu.wsUrl);
  try {
    const funding: { funding_rate: string; funding_index: string }[] = [];
    await sock.subscribe("funding_data.BTC-USD-PERP", (d) => funding.push(d as (typeof funding)[0]));
    await placeOrder(
      { http, session, signer, clock },
      {
        market: "BTC-USD-PERP",
        side: "BUY",
        type: "LIMIT",
        size: "0.5",
        price: "60000",
        instruction: "IOC",
        reduceOnly: false,
        clientId: "f1",
      },
    );
    assert.equal(emu.driver.position(ACCOUNT, "BTC-USD-PERP"), "0.5");
    // the seeded rate is 0.0001 per 8 h period; 30 steps of one minute pass
    await clock.advance(30 * 60_000);
    const raw = await http.request({ method: "GET", path: "/funding/payments", jwt: await session.token() });
    const payments = FundingPaymentsSchema.parse(raw).results;
    assert.ok(payments.length >= 29 && payments.length <= 31, `one payment a step: ${payments.length}`);
    const paid = payments.reduce((sum, p) => sum + Number(p.payment), 0);
    const expected = accruedFunding({
      size: 0.5,
      markPx: 60_000,
      ratePerPeriod: 0.0001,
      periodHours: 8,
      fromMs: 0,
      toMs: payments.length * 60_000,
    });
    assert.ok(Math.abs(paid - expected) < 1e-6, `paid ${paid}, funding.ts says ${expected}`);
    assert.ok(paid < 0, "the long paid a positive rate");
    const each = Number(payments[0]!.payment);
    assert.ok(Math.abs(each - (-0.5 * 60_000 * 0.0001) / (8 * 60)) < 1e-9, `one step: ${each}`);
    // the index grows by rate × mark per unit each step, and funding_data says so
    for (let i = 0; i < 50 && funding.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const idx = payments.map((p) => Number(p.index)).sort((a, b) => a - b);
    assert.ok(
      Math.abs(idx.at(-1)! - idx[0]! - ((idx.length - 1) * (0.0001 * 60_000)) / (8 * 60)) < 1e-9,
      "index step",
    );
    assert.ok(
      funding.length >= 1 && funding.every((f) => f.funding_rate === "0.0001"),
      JSON.stringify(funding.slice(0, 2)),
    );
  } finally {
    sock.close();
    await emu.close();
  }
});
