import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A Slack-style incoming webhook for budget alerts: records every JSON body it accepts, and
 * answers 500 to the next `failuresLeft` posts when told to.
 */
export async function startWebhookReceiver(port = 0) {
  const received: Array<{ period: string; thresholdPercent: number; budgetMicros: number; text: string }> = [];
  const state = { failuresLeft: 0 };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (part) => (body += part));
    req.on("end", () => {
      if (state.failuresLeft > 0) {
        state.failuresLeft--;
        res.statusCode = 500;
        res.end("down");
        return;
      }
      received.push(JSON.parse(body));
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
