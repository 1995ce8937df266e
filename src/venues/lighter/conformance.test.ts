import { makeLighterHarness } from "../../testing/lighter-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("lighter", () => makeLighterHarness());
