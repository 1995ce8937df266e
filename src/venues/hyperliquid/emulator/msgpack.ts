/**
 * The emulator's own msgpack writer (msgpack spec, https://github.com/msgpack/msgpack/blob/master/spec.md,
 * with msgpack-python's choices: smallest integer form, float64, str8 allowed, maps in key order).
 * Deliberately simple and separate from the connector's `../msgpack.ts`: the verifier must not
 * share a bug with the signer it checks.
 */
export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

export function be(n: number | bigint, bytes: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  for (let i = 0; i < bytes; i++) {
    out.unshift(Number(v & 255n));
    v >>= 8n;
  }
  return out;
}

export function mp(v: Value, out: number[]): void {
  if (v === null) out.push(0xc0);
  else if (v === true) out.push(0xc3);
  else if (v === false) out.push(0xc2);
  else if (typeof v === "number") {
    if (!Number.isInteger(v))
      out.push(0xcb, ...Array.from(new Uint8Array(new Float64Array([v]).buffer)).reverse());
    else if (v >= 0) {
      if (v <= 0x7f) out.push(v);
      else if (v <= 0xff) out.push(0xcc, v);
      else if (v <= 0xffff) out.push(0xcd, ...be(v, 2));
      else if (v <= 0xffffffff) out.push(0xce, ...be(v, 4));
      else out.push(0xcf, ...be(v, 8));
    } else if (v >= -32) out.push(0x100 + v);
    else if (v >= -128) out.push(0xd0, 0x100 + v);
    else if (v >= -32768) out.push(0xd1, ...be(0x10000 + v, 2));
    else if (v >= -2147483648) out.push(0xd2, ...be(0x100000000 + v, 4));
    else out.push(0xd3, ...be(2n ** 64n + BigInt(v), 8));
  } else if (typeof v === "string") {
    const b = Buffer.from(v, "utf8");
    if (b.length < 32) out.push(0xa0 + b.length);
    else if (b.length <= 0xff) out.push(0xd9, b.length);
    else if (b.length <= 0xffff) out.push(0xda, ...be(b.length, 2));
    else out.push(0xdb, ...be(b.length, 4));
    for (const x of b) out.push(x);
  } else if (Array.isArray(v)) {
    if (v.length < 16) out.push(0x90 + v.length);
    else if (v.length <= 0xffff) out.push(0xdc, ...be(v.length, 2));
    else out.push(0xdd, ...be(v.length, 4));
    for (const x of v) mp(x, out);
  } else {
    const keys = Object.keys(v);
    if (keys.length < 16) out.push(0x80 + keys.length);
    else if (keys.length <= 0xffff) out.push(0xde, ...be(keys.length, 2));
    else out.push(0xdf, ...be(keys.length, 4));
    for (const k of keys) {
      mp(k, out);
      mp(v[k], out);
    }
  }
}
