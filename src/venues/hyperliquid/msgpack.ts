/**
 * The connector's msgpack encoder: only the types Hyperliquid actions carry, with exactly the
 * bytes Python's `msgpack.packb(obj)` (msgpack-python ≥ 1.0, `use_bin_type=True`) writes, because
 * the venue hashes its own re-serialisation of the action and a single differing byte gives a
 * different signer ("User or API Wallet 0x… does not exist.").
 *
 * Rules (msgpack spec, https://github.com/msgpack/msgpack/blob/master/spec.md, and what
 * msgpack-python does):
 * - integers take the smallest encoding: positive fixint (0..127), uint8/16/32/64 for larger
 *   non-negative values (never int8..64 for a non-negative one); negative fixint (-32..-1), then
 *   int8/16/32/64. A `number` beyond 2^53 is refused (pass a bigint).
 * - a non-integer number is float64 (Python floats are doubles; msgpack-python never writes float32).
 * - strings: fixstr (< 32 bytes), str8, str16, str32 of the UTF-8 bytes.
 * - `Uint8Array`: bin8/16/32.
 * - arrays: fixarray / array16 / array32; plain objects: fixmap / map16 / map32 in insertion order.
 *   A key whose value is `undefined` is left out (as JSON.stringify does): "omitted" and `null`
 *   hash differently, and the venue distinguishes them.
 *
 * One module-level buffer is reused between calls (the encoder is synchronous), so encoding an
 * order allocates nothing but the result's view. Shares nothing with `emulator/verify.ts`.
 */

export type Packable =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly Packable[]
  | { readonly [key: string]: Packable | undefined };

/** A growable byte writer. `bytes()` returns a view valid until the next `reset()`. */
export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(size = 512) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u16(tag: number, n: number): void {
    this.ensure(3);
    this.buf[this.pos] = tag;
    this.view.setUint16(this.pos + 1, n);
    this.pos += 3;
  }

  u32(tag: number, n: number): void {
    this.ensure(5);
    this.buf[this.pos] = tag;
    this.view.setUint32(this.pos + 1, n);
    this.pos += 5;
  }

  /** A 64-bit big-endian unsigned integer without a tag (the nonce suffix of an L1 hash). */
  u64raw(n: number | bigint): void {
    this.ensure(8);
    if (typeof n === "bigint") {
      this.view.setBigUint64(this.pos, n);
    } else {
      this.view.setUint32(this.pos, Math.floor(n / 0x1_0000_0000));
      this.view.setUint32(this.pos + 4, n >>> 0);
    }
    this.pos += 8;
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const TEXT = new TextEncoder();

function packInt(w: ByteWriter, n: number): void {
  if (n >= 0) {
    if (n < 0x80) w.u8(n);
    else if (n < 0x100) {
      w.u8(0xcc);
      w.u8(n);
    } else if (n < 0x1_0000) w.u16(0xcd, n);
    else if (n < 0x1_0000_0000) w.u32(0xce, n);
    else {
      w.u8(0xcf);
      w.u64raw(n);
    }
    return;
  }
  if (n >= -32) w.u8(n & 0xff);
  else if (n >= -0x80) {
    w.u8(0xd0);
    w.u8(n & 0xff);
  } else if (n >= -0x8000) {
    w.ensure(3);
    w.buf[w.pos] = 0xd1;
    w.view.setInt16(w.pos + 1, n);
    w.pos += 3;
  } else if (n >= -0x8000_0000) {
    w.ensure(5);
    w.buf[w.pos] = 0xd2;
    w.view.setInt32(w.pos + 1, n);
    w.pos += 5;
  } else packBigInt(w, BigInt(n));
}

function packBigInt(w: ByteWriter, n: bigint): void {
  if (n >= -(2n ** 31n) && n < 2n ** 32n) {
    packInt(w, Number(n));
    return;
  }
  w.ensure(9);
  if (n >= 0n) {
    if (n >= 2n ** 64n) throw new RangeError(`msgpack: integer ${n} does not fit in uint64`);
    w.buf[w.pos] = 0xcf;
    w.view.setBigUint64(w.pos + 1, n);
  } else {
    if (n < -(2n ** 63n)) throw new RangeError(`msgpack: integer ${n} does not fit in int64`);
    w.buf[w.pos] = 0xd3;
    w.view.setBigInt64(w.pos + 1, n);
  }
  w.pos += 9;
}

function packString(w: ByteWriter, s: string): void {
  // ASCII fast path: every action string (coins, tifs, decimals, hex) is ASCII.
  const len = s.length;
  let ascii = len < 0x100;
  if (ascii) {
    for (let i = 0; i < len; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
  }
  if (ascii) {
    if (len < 32) w.u8(0xa0 | len);
    else {
      w.u8(0xd9);
      w.u8(len);
    }
    w.ensure(len);
    for (let i = 0; i < len; i++) w.buf[w.pos + i] = s.charCodeAt(i);
    w.pos += len;
    return;
  }
  const bytes = TEXT.encode(s);
  const n = bytes.length;
  if (n < 32) w.u8(0xa0 | n);
  else if (n < 0x100) {
    w.u8(0xd9);
    w.u8(n);
  } else if (n < 0x1_0000) w.u16(0xda, n);
  else w.u32(0xdb, n);
  w.raw(bytes);
}

function packLength(w: ByteWriter, n: number, fix: number, tag16: number): void {
  if (n < 16) w.u8(fix | n);
  else if (n < 0x1_0000) w.u16(tag16, n);
  else w.u32(tag16 + 1, n);
}

/** Append the msgpack encoding of `v` to `w`. */
export function packInto(w: ByteWriter, v: Packable): void {
  if (v === null) {
    w.u8(0xc0);
    return;
  }
  switch (typeof v) {
    case "boolean":
      w.u8(v ? 0xc3 : 0xc2);
      return;
    case "string":
      packString(w, v);
      return;
    case "number":
      if (Number.isInteger(v)) {
        if (!Number.isSafeInteger(v))
          throw new RangeError(`msgpack: ${v} is not a safe integer; pass a bigint`);
        packInt(w, v);
        return;
      }
      if (!Number.isFinite(v)) throw new RangeError(`msgpack: ${v} is not finite`);
      w.ensure(9);
      w.buf[w.pos] = 0xcb;
      w.view.setFloat64(w.pos + 1, v);
      w.pos += 9;
      return;
    case "bigint":
      packBigInt(w, v);
      return;
  }
  if (v instanceof Uint8Array) {
    const n = v.length;
    if (n < 0x100) {
      w.u8(0xc4);
      w.u8(n);
    } else if (n < 0x1_0000) w.u16(0xc5, n);
    else w.u32(0xc6, n);
    w.raw(v);
    return;
  }
  if (Array.isArray(v)) {
    const arr = v as readonly Packable[];
    packLength(w, arr.length, 0x90, 0xdc);
    for (const item of arr) packInto(w, item);
    return;
  }
  const obj = v as { readonly [key: string]: Packable | undefined };
  let count = 0;
  for (const key in obj) if (obj[key] !== undefined) count++;
  packLength(w, count, 0x80, 0xde);
  for (const key in obj) {
    const item = obj[key];
    if (item === undefined) continue;
    packString(w, key);
    packInto(w, item);
  }
}

/** The msgpack bytes of `v` (a fresh copy). */
export function pack(v: Packable): Uint8Array {
  const w = new ByteWriter(256);
  packInto(w, v);
  return w.bytes().slice();
}
