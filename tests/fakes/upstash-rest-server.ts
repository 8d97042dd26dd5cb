import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Requester } from "@upstash/redis";

/**
 * A local server that speaks Upstash's REST protocol (POST / with a command array,
 * /pipeline and /multi-exec with arrays of commands, Bearer token, base64 response encoding)
 * and answers through a Redis requester. Lets tests drive the app's Upstash mode, which
 * production on Vercel uses, without reaching Upstash.
 */
export async function startUpstashRestServer(
  backend: Requester,
  token: string,
  port = 0,
): Promise<{ url: string; requests: number; close: () => Promise<void> }> {
  const state = { requests: 0 };
  const encode = (value: unknown): unknown => {
    if (typeof value === "string") return value === "OK" ? value : Buffer.from(value).toString("base64");
    if (Array.isArray(value)) return value.map(encode);
    return value;
  };
  const server: Server = createServer(async (request, response) => {
    // Tests read how many commands went through here (proof that an app used REST).
    if (request.method === "GET" && request.url === "/__control/stats") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ requests: state.requests }));
      return;
    }
    state.requests++;
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "Unauthorized" }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
    const path = (request.url ?? "/").split("/").filter(Boolean);
    const base64 = request.headers["upstash-encoding"] === "base64";
    const reply = (await backend.request({ path, body })) as unknown;
    const encodeReply = (r: { result?: unknown; error?: string }) => (base64 && "result" in r ? { result: encode(r.result) } : r);
    const payload = Array.isArray(reply) ? reply.map(encodeReply) : encodeReply(reply as { result?: unknown; error?: string });
    const failed = !Array.isArray(payload) && "error" in (payload as object);
    response.writeHead(failed ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify(payload));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: listening } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listening}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
