import { makeEdgexHarness } from "../../testing/edgex-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("edgex", () => makeEdgexHarness());
