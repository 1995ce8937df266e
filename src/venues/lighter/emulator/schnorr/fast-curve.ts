import {
  type FastFp5,
  fastAdd,
  fastDouble,
  fastMul,
  fastMulB,
  fastMulSmall,
  fastSquare,
  fastSub,
  fromFast,
  toFast,
} from "./fast-fp5.ts";
import type { Fp5 } from "./field.ts";

/**
 * The ECgFp5 formulas of curve.ts (same complete addition, same doubling, so the same projective
 * coordinates) on `FastFp5` numbers, and the double-scalar multiplication the verifier spends its
 * time in.
 */

/** curve.ts's Point (X:Z:U:T) with BigInt coordinates. */
export interface BigPoint {
  readonly x: Fp5;
  readonly z: Fp5;
  readonly u: Fp5;
  readonly t: Fp5;
}

export interface FastPoint {
  readonly x: FastFp5;
  readonly z: FastFp5;
  readonly u: FastFp5;
  readonly t: FastFp5;
}

export function toFastPoint(p: BigPoint): FastPoint {
  return { x: toFast(p.x), z: toFast(p.z), u: toFast(p.u), t: toFast(p.t) };
}

export function fromFastPoint(p: FastPoint): BigPoint {
  return { x: fromFast(p.x), z: fromFast(p.z), u: fromFast(p.u), t: fromFast(p.t) };
}

const ZERO = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const ONE = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const FAST_NEUTRAL: FastPoint = { x: ZERO, z: ONE, u: ZERO, t: ONE };

export function fastPointAdd(p: FastPoint, q: FastPoint): FastPoint {
  const t1 = fastMul(p.x, q.x);
  const t2 = fastMul(p.z, q.z);
  const t3 = fastMul(p.u, q.u);
  const t4 = fastMul(p.t, q.t);
  const t5 = fastSub(fastMul(fastAdd(p.x, p.z), fastAdd(q.x, q.z)), fastAdd(t1, t2));
  const t6 = fastSub(fastMul(fastAdd(p.u, p.t), fastAdd(q.u, q.t)), fastAdd(t3, t4));
  const t7 = fastAdd(t1, fastMulB(t2));
  const t8 = fastMul(t4, t7);
  const t9 = fastMul(t3, fastAdd(fastDouble(fastMulB(t5)), fastDouble(t7)));
  const t10 = fastMul(fastAdd(t4, fastDouble(t3)), fastAdd(t5, t7));
  return {
    x: fastMulB(fastSub(t10, t8)),
    z: fastSub(t8, t9),
    u: fastMul(t6, fastSub(fastMulB(t2), t1)),
    t: fastAdd(t8, t9),
  };
}

export function fastPointDouble(p: FastPoint): FastPoint {
  const t1 = fastMul(p.z, p.t);
  const t2 = fastMul(t1, p.t);
  const x1 = fastSquare(t2);
  const z1 = fastMul(t1, p.u);
  const t3 = fastSquare(p.u);
  const w1 = fastSub(t2, fastMul(t3, fastDouble(fastAdd(p.x, p.z))));
  const t4 = fastSquare(z1);
  const z = fastSquare(w1);
  return {
    x: fastMulSmall(fastMulB(t4), 4),
    z,
    u: fastSub(fastSquare(fastAdd(w1, z1)), fastAdd(t4, z)),
    t: fastSub(fastDouble(x1), fastAdd(fastMulSmall(t4, 4), z)),
  };
}

const WINDOW = 4;

/** [0·P, 1·P, …, 15·P]. */
export function fastTable(p: FastPoint): FastPoint[] {
  const t: FastPoint[] = [FAST_NEUTRAL, p];
  for (let i = 2; i < 1 << WINDOW; i++)
    t.push(i % 2 === 0 ? fastPointDouble(t[i / 2]!) : fastPointAdd(t[i - 1]!, p));
  return t;
}

/** a·P ⊕ b·Q for reduced non-negative scalars, from the tables of P and Q (Straus–Shamir, 4-bit windows). */
export function fastMulAdd2(
  tp: readonly FastPoint[],
  a: bigint,
  tq: readonly FastPoint[],
  b: bigint,
): FastPoint {
  const bits = Math.max(a.toString(2).length, b.toString(2).length);
  const windows = Math.ceil(bits / WINDOW);
  let acc = FAST_NEUTRAL;
  for (let i = windows - 1; i >= 0; i--) {
    if (i !== windows - 1) for (let j = 0; j < WINDOW; j++) acc = fastPointDouble(acc);
    const shift = BigInt(i * WINDOW);
    const da = Number((a >> shift) & 15n);
    const db = Number((b >> shift) & 15n);
    if (da !== 0) acc = fastPointAdd(acc, tp[da]!);
    if (db !== 0) acc = fastPointAdd(acc, tq[db]!);
  }
  return acc;
}
