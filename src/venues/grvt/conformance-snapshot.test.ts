import { makeGrvtHarness } from "../../testing/grvt-conformance.ts";
import { defineVenueConformance } from "../conformance/suite.ts";

// the suite again with books from full v1.book.s snapshots (the default is v1.book.d deltas)
defineVenueConformance("grvt (book_feed snapshot)", () => makeGrvtHarness({}, { book_feed: "snapshot" }));
