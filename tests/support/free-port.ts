import { createServer, type AddressInfo } from "node:net";

/** A port the OS says is free on 127.0.0.1 (so parallel runs on one machine never share a server). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
