import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P } from "./field.ts";
import { hashNoPad, hashNToMNoPad, hashToQuinticExtension, permute } from "./poseidon2.ts";
import { EXTERNAL_ROUND_CONSTANTS, INTERNAL_ROUND_CONSTANTS } from "./poseidon2-constants.ts";

// Vectors from elliottech/poseidon_crypto v0.0.15 `hash/poseidon2_goldilocks_plonky2/poseidon2_test.go`.
describe("Poseidon2 over Goldilocks", () => {
  it("permutation (TestPermute)", () => {
    const s = [
      5417613058500526590n,
      2481548824842427254n,
      6473243198879784792n,
      1720313757066167274n,
      2806320291675974571n,
      7407976414706455446n,
      1105257841424046885n,
      7613435757403328049n,
      3376066686066811538n,
      5888575799323675710n,
      6689309723188675948n,
      2468250420241012720n,
    ];
    permute(s);
    assert.deepEqual(s, [
      5364184781011389007n,
      15309475861242939136n,
      5983386513087443499n,
      886942118604446276n,
      14903657885227062600n,
      7742650891575941298n,
      1962182278500985790n,
      10213480816595178755n,
      3510799061817443836n,
      4610029967627506430n,
      7566382334276534836n,
      2288460879362380348n,
    ]);
  });

  it("sponge with 12 outputs (TestHashNToMNoPad)", () => {
    const inp = [
      2963773914414780088n,
      8389525300242074234n,
      3700959901615818008n,
      6116199383751757212n,
      3418607418699599889n,
      8793277256263635044n,
      448623437464918480n,
      1857310021116627925n,
      6145634616307237342n,
      1548353948794474539n,
      2318110128254703527n,
      8347759953730634762n,
    ];
    assert.deepEqual(hashNToMNoPad(inp, 12), [
      3627923032009111551n,
      1460752551327577353n,
      1084214837491058067n,
      1841622875286057462n,
      3996252440506437984n,
      1276718204392552803n,
      8564515621134952155n,
      9252927025993202701n,
      1147435538714642916n,
      16407277821156164797n,
      11997661877740155273n,
      12485021000320141292n,
    ]);
  });

  it("4-output hash (TestHashNToHashNoPad) and non-canonical inputs (TestHashNToHashNoPadLarge)", () => {
    assert.deepEqual(
      hashNoPad([
        11295517158488612626n,
        10669470463693797151n,
        17232114065640264171n,
        4175927072186299193n,
        13985285184240204531n,
        7901017084268693144n,
        4326299618263946178n,
        14787024750292535041n,
        894520636503353046n,
        12556655399058578835n,
        3097737892474696200n,
        7515335668060050861n,
      ]),
      [15396602476382546759n, 12422280135166335470n, 8165681190607828974n, 3475588160239961712n],
    );
    const max = 0xffffffffffffffffn;
    assert.deepEqual(hashNoPad([P + 1n, P + 2n, P + 3n, max, max - 1n]), [
      14216040864787980138n,
      17275303675000904868n,
      11831395338463193314n,
      281267649235863375n,
    ]);
  });

  it("two-to-one (TestHashTwoToOne)", () => {
    const a = [3777312593917610528n, 6858608920877200812n, 5269611035257552853n, 10607733449481270434n];
    const b = [10355703322562521155n, 1039917189921776884n, 10844249567941924238n, 14291130953945924124n];
    assert.deepEqual(hashNoPad([...a, ...b]), [
      1453933811752520343n,
      16186418140372484281n,
      9207215809524681813n,
      10182182911172027974n,
    ]);
  });

  it("hash to the quintic extension (TestHashToQuinticExtension)", () => {
    const inp = [
      3451004116618606032n,
      11263134342958518251n,
      10957204882857370932n,
      5369763041201481933n,
      7695734348563036858n,
      1393419330378128434n,
      7387917082382606332n,
    ];
    assert.deepEqual(hashToQuinticExtension(inp), [
      17992684813643984528n,
      5243896189906434327n,
      7705560276311184368n,
      2785244775876017560n,
      14449776097783372302n,
    ]);
  });

  it("constants are field elements and complete (TestConstantsAreInTheField)", () => {
    assert.equal(EXTERNAL_ROUND_CONSTANTS.length, 8);
    for (const row of EXTERNAL_ROUND_CONSTANTS) {
      assert.equal(row.length, 12);
      for (const c of row) assert.ok(c < P);
    }
    assert.equal(INTERNAL_ROUND_CONSTANTS.length, 22);
    for (const c of INTERNAL_ROUND_CONSTANTS) assert.ok(c < P);
  });
});
