import { makeHibachiHarness } from "../../testing/hibachi-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

defineVenueConformance("hibachi", () => makeHibachiHarness());
