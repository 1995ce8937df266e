import assert from "node:assert/strict";
import { test } from "node:test";
import { SimClock } from "../../core/clock.ts";
import { ForwardingVenue } from "../../core/forwarding-venue.ts";
import { usd } from "../../core/money.ts";
import type { OrderRequest } from "../../core/types.ts";
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import { catalogInstruments } from "../../venues/sim/catalog.ts";
import { SimVenue } from "../../venues/sim/sim-venue.ts";
import { type Alert, AlertBus } from "../alerts.ts";
import { WatchedVenue } from "../watched-venue.ts";
import { requestHealth, VenueCircuits } from "./circuit-breaker.ts";

function setup() {
  const clock = new SimClock(1_000_000);
  const bus = new AlertBus();
  const alerts: Alert[] = [];
  bus.subscribe((a) => alerts.push(a));
  const circuits = new VenueCircuits({ failures: 3, openMs: 30_000, maxOpenMs: 100_000 }, clock, bus);
  return { clock, circuits, alerts };
}

test("what counts as a failure: no answer does; a reject or a 429 does not", () => {
  assert.equal(requestHealth(undefined), "ok");
  assert.equal(requestHealth(new VenueRejectError("insufficient_margin")), "ok");
  assert.equal(requestHealth(new VenueUnknownOutcomeError("rate_limited", "429")), "neutral");
  for (const kind of ["timeout", "server_error", "unavailable"] as const)
    assert.equal(requestHealth(new VenueUnknownOutcomeError(kind, kind)), "failed");
  assert.equal(requestHealth(new Error("socket hang up")), "failed");
});

test("closed -> open after N failures in a row -> half-open after the open time -> closed on success", async () => {
  const { clock, circuits, alerts } = setup();
  circuits.record("v", "failed", "unavailable");
  circuits.record("v", "failed", "unavailable");
  circuits.record("v", "ok");
  circuits.record("v", "failed", "unavailable");
  circuits.record("v", "failed", "unavailable");
  assert.equal(circuits.state("v"), "closed", "a success in between resets the count");
  circuits.record("v", "failed", "timeout");
  assert.equal(circuits.state("v"), "open");
  assert.match(
    circuits.refusal("v") ?? "",
    /^v: circuit open after 3 failed requests \(timeout\); probe in 30000 ms$/,
  );
  assert.deepEqual(
    alerts.map((a) => [a.severity, a.key]),
    [["warning", "engine.circuit_open:v"]],
  );
  assert.equal(circuits.state("other"), "closed", "per venue");
  // a success before the probe time (a flapping venue) does not close it
  await clock.advance(10_000);
  circuits.record("v", "ok");
  assert.equal(circuits.state("v"), "open");
  await clock.advance(20_000);
  assert.equal(circuits.state("v"), "half_open");
  assert.match(circuits.refusal("v") ?? "", /half-open/);
  circuits.record("v", "ok");
  assert.equal(circuits.state("v"), "closed");
  assert.equal(circuits.refusal("v"), undefined);
  assert.deepEqual(alerts.map((a) => a.key).at(-1), "engine.circuit_closed:v");
  assert.equal(circuits.views()[0].trips, 1);
});

test("a failed probe opens the circuit again for twice as long, up to the maximum", async () => {
  const { clock, circuits } = setup();
  for (let i = 0; i < 3; i++) circuits.record("v", "failed", "unavailable");
  const t0 = clock.now();
  const probes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const at = circuits.views()[0].probeAt!;
    probes.push(at - clock.now());
    await clock.advance(at - clock.now());
    circuits.record("v", "failed", "unavailable");
  }
  assert.deepEqual(probes, [30_000, 60_000, 100_000, 100_000]);
  assert.equal(circuits.state("v"), "open");
  assert.equal(circuits.views()[0].trips, 1, "one outage, one trip");
  assert.ok(clock.now() > t0);
});

test("rate-limited answers neither open nor close a circuit", () => {
  const { circuits } = setup();
  for (let i = 0; i < 10; i++) circuits.record("v", "neutral");
  assert.equal(circuits.state("v"), "closed");
});

test("the engine's watched venue reports every request's outcome to the breaker", async () => {
  const { clock, circuits } = setup();
  const sim = new SimVenue({ id: "simA", instruments: catalogInstruments("simA"), clock });
  sim.deposit("w", usd(1000));
  let rejecting = false;
  const flaky = new (class extends ForwardingVenue {
    override submit(o: OrderRequest) {
      return rejecting ? Promise.reject(new VenueRejectError("insufficient_margin")) : this.inner.submit(o);
    }
  })(sim);
  const watched = new WatchedVenue(flaky, circuits);
  sim.goDown(clock.now() + 60_000);
  for (let i = 0; i < 3; i++) await assert.rejects(watched.positions("w"), VenueUnknownOutcomeError);
  assert.equal(circuits.state("simA"), "open", "three reads without an answer open it");
  await clock.advance(60_000);
  rejecting = true;
  await assert.rejects(watched.submit({} as OrderRequest), VenueRejectError);
  assert.equal(circuits.state("simA"), "closed", "a reject is an answer: the probe succeeded");
  sim.close();
});
