import assert from "node:assert/strict";
import { test } from "node:test";
import { encodingForField, secretBytes, secretForms, secretText } from "./secret-encoding.ts";

test("private keys are hex, decoded with or without 0x; everything else is verbatim UTF-8", () => {
  assert.equal(encodingForField("agent_private_key"), "hex");
  assert.equal(encodingForField("private_key"), "hex");
  assert.equal(encodingForField("api_secret"), "utf8");
  assert.equal(encodingForField("private_keyring"), "utf8");
  assert.deepEqual(secretBytes("0xABcd", "hex", "k"), Buffer.of(0xab, 0xcd));
  assert.deepEqual(secretBytes("abcd", "hex", "k"), Buffer.of(0xab, 0xcd));
  // an API secret that looks like hex comes back exactly, case included
  assert.equal(secretText(secretBytes("ABCDEF12", "utf8", "s"), "utf8"), "ABCDEF12");
  assert.equal(secretText(secretBytes("0xABcd", "hex", "k"), "hex"), "abcd");
});

test("bad secrets are refused with the place named and without the value", () => {
  assert.throws(
    () => secretBytes("0xabc", "hex", "wallet w1, key"),
    /^KeystoreUsageError: wallet w1, key: expected hex/,
  );
  assert.throws(
    () => secretBytes("zz-hunter2", "hex", "k"),
    (e: Error) => !e.message.includes("hunter2"),
  );
  assert.throws(
    () => secretBytes(" s3cret", "utf8", "wallet w1, x.api_secret"),
    /leading or trailing whitespace/,
  );
  assert.throws(() => secretBytes("", "utf8", "w"), /empty/);
});

test("secret forms cover hex, 0x-hex, upper hex, base64 variants and the text", () => {
  const forms = secretForms(Buffer.from("fb-ff/", "utf8"), "utf8");
  for (const f of ["fb-ff/", "66622d66662f", "0x66622d66662f", "66622D66662F", "ZmItZmYv"])
    assert.ok(forms.includes(f), f);
  const b = secretForms(Buffer.of(0xfb, 0xff), "hex");
  assert.ok(b.includes("+/8") === false, "forms shorter than 4 characters are not registered");
  assert.ok(b.includes("0xfbff") && b.includes("fbff"));
});
