import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseProxy, parseStoredProxy, proxyDisplayOf, proxySecretForms, proxyUrlOf } from "./proxy.ts";

test("both proxy forms normalise to the same URL", () => {
  const a = parseProxy("http://alice:s3cret@Proxy.Example.com:3128");
  const b = parseProxy("proxy.example.com:3128:alice:s3cret");
  assert.deepEqual(a, b);
  assert.equal(proxyUrlOf(a), "http://alice:s3cret@proxy.example.com:3128");
  assert.equal(proxyDisplayOf(a), "http://alice@proxy.example.com:3128");
  assert.deepEqual(parseProxy("10.0.0.7:8080"), { scheme: "http", host: "10.0.0.7", port: 8080 });
  assert.deepEqual(parseProxy("https://[::1]:8443").host, "[::1]");
});

test("a password with ':' '@' '/' survives both forms and the URL round trip", () => {
  const colon = parseProxy("h.example:1080:bob:pa:ss@w/rd");
  assert.equal(colon.password, "pa:ss@w/rd");
  const url = proxyUrlOf(colon);
  assert.deepEqual(parseProxy(url), colon);
  assert.deepEqual(proxySecretForms(colon), ["pa:ss@w/rd", "pa%3Ass%40w%2Frd"]);
});

test("property: any user and password round trip through the normalised URL", () => {
  fc.assert(
    fc.property(
      fc
        .string({ unit: "grapheme", minLength: 1, maxLength: 20 })
        .filter((u) => !u.includes(":") && u.trim() === u),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((p) => p.trim() === p),
      fc.integer({ min: 1, max: 65_535 }),
      (username, password, port) => {
        const p = { scheme: "http" as const, host: "proxy.example", port, username, password };
        assert.deepEqual(parseProxy(proxyUrlOf(p)), p);
        // the stored form has no password and parses back to the rest
        const { password: _, ...rest } = p;
        assert.deepEqual(parseStoredProxy(proxyDisplayOf(p), "w"), rest);
      },
    ),
  );
});

test("bad proxies are named errors that never quote the password", () => {
  const cases: [string, RegExp][] = [
    ["proxy.example:99999:u:topsecret1", /port "99999" is not 1..65535/],
    ["proxy.example:80:u", /got 3 ':'-separated parts/],
    ["bad_host!:80:u:topsecret1", /host "bad_host!"/],
    ["socks5://u:topsecret1@h.example:1080", /scheme "socks5" is not supported/],
    ["http://u:topsecret1@h.example", /has no port/],
    ["http://u:topsecret1@h.example:8080/path", /no path, query or fragment/],
    ["http://u@h.example:8080", /user name without a password/],
    ["h.example:80::topsecret1", /user name is empty/],
    ["", /empty/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseProxy(input, "wallet w7"),
      (e: Error) => {
        assert.match(e.message, /^wallet w7: /);
        assert.match(e.message, re);
        assert.ok(!e.message.includes("topsecret1"), e.message);
        return true;
      },
      input,
    );
  }
});
