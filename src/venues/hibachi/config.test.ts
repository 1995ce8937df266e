import assert from "node:assert/strict";
import { test } from "node:test";
import { VenueRejectError } from "../../core/venue.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { authOf } from "./client.ts";
import { HibachiConfigSchema, signerSourceOf } from "./config.ts";

const wallet = (w: Record<string, unknown>) =>
  HibachiConfigSchema.safeParse({ wallets: { w07: { account_id: 7, api_key: "hibachi-key-7", ...w } } });

test("a wallet's kind picks its signer source: trustless secp256k1 key, or managed HMAC-only API secret", () => {
  const t = wallet({});
  assert.ok(t.success);
  assert.deepEqual(signerSourceOf("w07", t.data.wallets.w07), {
    walletId: "w07",
    scheme: "secp256k1",
    venue: "hibachi",
    field: "private_key",
  });
  const m = wallet({ kind: "managed" });
  assert.ok(m.success);
  assert.deepEqual(signerSourceOf("w07", m.data.wallets.w07), {
    walletId: "w07",
    scheme: "hmac",
    venue: "hibachi",
    hmac: { field: "api_secret", key: "stored" },
  });
  const named = wallet({ kind: "managed", secret: "hb_secret" });
  assert.ok(named.success);
  assert.equal(signerSourceOf("w07", named.data.wallets.w07).hmac?.field, "hb_secret");
});

test("a bad kind names the wallet and field; a binding's signer of the wrong kind names the account", () => {
  const r = wallet({ kind: "custodial" });
  assert.equal(r.success, false);
  if (!r.success) {
    assert.deepEqual(r.error.issues[0].path, ["wallets", "w07", "kind"]);
    assert.match(r.error.issues[0].message, /trustless|managed/);
  }
  const where = "venue hibachi: account w07";
  const ed = signerFromKeyBytes("ed25519", new Uint8Array(32).fill(3), "test");
  assert.throws(
    () => authOf(ed, where),
    (e: unknown) =>
      e instanceof VenueRejectError &&
      /venue hibachi: account w07 needs .*kind = "managed".*got ed25519/.test(e.message),
  );
  assert.throws(() => authOf(undefined, where), /got none/);
  const hmac = signerFromKeyBytes("hmac", Buffer.from("secret-text"), "test");
  assert.equal(authOf(hmac, where).kind, "managed");
});
