import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../core/clock.ts";
import { EdgexConfigSchema } from "./config.ts";
import { EdgexVenue } from "./venue.ts";

/**
 * Venue answers that do not parse: the error names the venue and the field, a REST answer
 * fails its request, a stream message is dropped as a notice and the stream goes on. A loopback
 * server serves a metadata answer with a broken field (a venue that changed its shape).
 */
test("edgex: a malformed metadata answer fails connect, naming the endpoint and the field", async () => {
  const { createServer } = await import("node:http");
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        code: "SUCCESS",
        data: { global: { nativeChainId: "33431", contractAddress: "0x12" }, coinList: [], contractList: [] },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const venue = new EdgexVenue(
    EdgexConfigSchema.parse({ rest_url: `http://127.0.0.1:${port}` }),
    new WallClock(),
  );
  try {
    await assert.rejects(
      venue.connect(),
      /edgex: getMetaData did not parse at global\.contractAddress: a 0x address/,
    );
  } finally {
    await venue.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
