import { makeExtendedHarness } from "../../testing/extended-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("extended", () => makeExtendedHarness());
