/**
 * Starknet's Pedersen hash with 8-bit fixed-window tables: the same function as
 * `@scure/starknet`'s `pedersen` (shift_point + x_low·P1 + x_high·P2 + y_low·P3 + y_high·P4 over
 * the Stark curve, StarkWare's definition, https://docs.starkware.co/starkex/pedersen-hash-function.html),
 * which walks 252 bits one at a time; here each 248-bit low part takes 31 additions from
 * precomputed multiples (31 windows × 255 points per base, built on first use, ~16 000 points)
 * and each 4-bit high part one. pedersen.test.ts checks it equals the library's on random and
 * edge inputs. Used for the connector's typed-data hashing; the emulator's verifier keeps the
 * library's own function.
 */
import { Point } from "@scure/starknet";

// The constant points of StarkWare's pedersen_params.json (starkware-libs/cairo-lang
// src/starkware/crypto/signature/pedersen_params.json: CONSTANT_POINTS[0..4]), as
// @scure/starknet@2.4.0 index.js PEDERSEN_POINTS also lists them.
const RAW: readonly (readonly [bigint, bigint])[] = [
  [
    2089986280348253421170679821480865132823066470938446095505822317253594081284n,
    1713931329540660377023406109199410414810705867260802078187082345529207694986n,
  ],
  [
    996781205833008774514500082376783249102396023663454813447423147977397232763n,
    1668503676786377725805489344771023921079126552019160156920634619255970485781n,
  ],
  [
    2251563274489750535117886426533222435294046428347329203627021249169616184184n,
    1798716007562728905295480679789526322175868328062420237419143593021674992973n,
  ],
  [
    2138414695194151160943305727036575959195309218611738193261179310511854807447n,
    113410276730064486255102093846540133784865286929052426931474106396135072156n,
  ],
  [
    2379962749567351885752724891227938183011949129833673362440656643086021394946n,
    776496453633298175483985398648758586525933812536653089401905292063708816422n,
  ],
];

type P = InstanceType<typeof Point>;
const FIELD = (1n << 251n) + 17n * (1n << 192n) + 1n;
const LOW_MASK = (1n << 248n) - 1n;

/** tables[w][d - 1] = d · 2^(8w) · base, for w < windows, d in 1..255 */
function tablesOf(base: P, windows: number): P[][] {
  const out: P[][] = [];
  let b = base;
  for (let w = 0; w < windows; w++) {
    const row: P[] = [b];
    for (let d = 2; d <= 255; d++) row.push(row[d - 2]!.add(b));
    out.push(row);
    for (let i = 0; i < 8; i++) b = b.double();
  }
  return out;
}

let tables: { shift: P; xLow: P[][]; xHigh: P[][]; yLow: P[][]; yHigh: P[][] } | undefined;

function tablesNow() {
  if (tables === undefined) {
    const [s, p1, p2, p3, p4] = RAW.map(([x, y]) => new Point(x, y, 1n));
    tables = {
      shift: s!,
      xLow: tablesOf(p1!, 31),
      xHigh: tablesOf(p2!, 1),
      yLow: tablesOf(p3!, 31),
      yHigh: tablesOf(p4!, 1),
    };
  }
  return tables;
}

function addScalar(acc: P, v: bigint, low: P[][], high: P[][]): P {
  let lo = v & LOW_MASK;
  for (let w = 0; lo > 0n; w++, lo >>= 8n) {
    const d = Number(lo & 0xffn);
    if (d !== 0) acc = acc.add(low[w]![d - 1]!);
  }
  const hi = Number(v >> 248n);
  if (hi !== 0) acc = acc.add(high[0]![hi - 1]!);
  return acc;
}

/** Pedersen(x, y) for field elements x, y (0 ≤ v < the Stark field prime). */
export function pedersenFast(x: bigint, y: bigint): bigint {
  if (x < 0n || x >= FIELD || y < 0n || y >= FIELD)
    throw new RangeError(`pedersen: inputs must be field elements (got ${x}, ${y})`);
  const t = tablesNow();
  let acc = addScalar(t.shift, x, t.xLow, t.xHigh);
  acc = addScalar(acc, y, t.yLow, t.yHigh);
  return acc.toAffine().x;
}

/** Pedersen fold over `values` followed by their count (Starknet's compute_hash_on_elements). */
export function hashOnElements(values: readonly bigint[]): bigint {
  let acc = 0n;
  for (const v of values) acc = pedersenFast(acc, v);
  return pedersenFast(acc, BigInt(values.length));
}
