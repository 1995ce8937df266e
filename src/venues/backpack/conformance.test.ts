import { makeBackpackHarness } from "../../testing/backpack-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("backpack", () => makeBackpackHarness());
