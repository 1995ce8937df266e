import { makeSimHarness } from "../../testing/sim-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("sim", () => makeSimHarness());
