import { makeParadexHarness } from "../../testing/paradex-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("paradex", () => makeParadexHarness());
