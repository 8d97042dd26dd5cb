// A GitHub OAuth app and API on localhost for tests, as strict as GitHub where the product depends
// on it: the authorization step knows who is "signed in at GitHub" by its own cookie (as github.com
// does), codes are single-use, expire, are bound to the client, the redirect URI and the PKCE
// challenge; the token endpoint authenticates the client (Basic or body); the API wants the bearer
// token and answers 401 "Bad credentials" otherwise; /user/emails needs the user:email scope.
// Never imported by product code: the app reaches it through AUTH_GITHUB_BASE_URL, which only a
// build made for tests accepts (lib/env.ts, isTestBuild).
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeGitHubUser = {
  id: number;
  login: string;
  name?: string;
  /** The public address on the profile (GitHub: null unless the user made one public). */
  publicEmail?: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
};

export const FAKE_GITHUB_CLIENT_ID = "fake-github-client-id";
/** Cookie of the fake's own origin naming the user signed in "at GitHub" (set by the test). */
export const FAKE_GITHUB_SESSION_COOKIE = "fake_github_user";

type Grant = { login: string; clientId: string; redirectUri: string; challenge: string | null; scope: string; expiresAt: number };

const CODE_LIFETIME_MS = 10 * 60 * 1000; // GitHub: codes expire after 10 minutes

export async function startFakeGitHub({ port = 0, clientSecret }: { port?: number; clientSecret: string }) {
  const users = new Map<string, FakeGitHubUser>();
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, { login: string; scope: string }>();
  const counters = { authorizations: 0, tokens: 0, refusedTokens: 0 };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { message: String(error) }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method === "POST" && url.pathname === "/__control/users") {
      const user = JSON.parse(await readBody(request)) as FakeGitHubUser;
      users.set(user.login, user);
      return json(response, 200, { ok: true });
    }
    if (request.method === "GET" && url.pathname === "/__control/stats") return json(response, 200, counters);

    if (request.method === "GET" && url.pathname === "/login/oauth/authorize") {
      const clientId = url.searchParams.get("client_id");
      const redirectUri = url.searchParams.get("redirect_uri");
      if (clientId !== FAKE_GITHUB_CLIENT_ID || !redirectUri) return json(response, 404, { message: "Not Found" });
      const challengeMethod = url.searchParams.get("code_challenge_method");
      if (url.searchParams.has("code_challenge") && challengeMethod !== "S256") return json(response, 400, { message: "S256 only" });
      const login = readCookie(request.headers.cookie, FAKE_GITHUB_SESSION_COOKIE);
      if (!login || !users.has(login)) {
        response.writeHead(401, { "content-type": "text/plain" });
        return response.end("Sign in to GitHub to continue (the test sets the fake's session cookie).");
      }
      counters.authorizations++;
      const code = randomBytes(10).toString("hex");
      codes.set(code, {
        login,
        clientId,
        redirectUri,
        challenge: url.searchParams.get("code_challenge"),
        scope: url.searchParams.get("scope") ?? "",
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      const state = url.searchParams.get("state");
      if (state) back.searchParams.set("state", state);
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }

    if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
      const raw = await readBody(request);
      const body = (request.headers["content-type"] ?? "").includes("json")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
      const basic = parseBasic(request.headers.authorization);
      const clientId = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      const grant = codes.get(body.code ?? "");
      codes.delete(body.code ?? ""); // single use, whatever happens next
      const refuse = (error: string) => {
        counters.refusedTokens++;
        return json(response, 400, { error, error_description: error.replaceAll("_", " ") });
      };
      if (clientId !== FAKE_GITHUB_CLIENT_ID || secret !== clientSecret) return refuse("incorrect_client_credentials");
      if (!grant || grant.expiresAt < Date.now() || grant.clientId !== clientId) return refuse("bad_verification_code");
      if (body.redirect_uri && body.redirect_uri !== grant.redirectUri) return refuse("redirect_uri_mismatch");
      if (grant.challenge) {
        const verifier = body.code_verifier ?? "";
        if (createHash("sha256").update(verifier).digest("base64url") !== grant.challenge) return refuse("bad_verification_code");
      }
      counters.tokens++;
      const token = `gho_${randomBytes(18).toString("hex")}`;
      tokens.set(token, { login: grant.login, scope: grant.scope });
      return json(response, 200, { access_token: token, token_type: "bearer", scope: grant.scope.replaceAll(" ", ",") });
    }

    if (request.method === "GET" && (url.pathname === "/api/v3/user" || url.pathname === "/api/v3/user/emails")) {
      const token = /^(?:Bearer|token) (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const session = token ? tokens.get(token) : undefined;
      const user = session ? users.get(session.login) : undefined;
      if (!session || !user) return json(response, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      if (url.pathname === "/api/v3/user") {
        return json(response, 200, {
          id: user.id,
          login: user.login,
          name: user.name ?? null,
          email: user.publicEmail ?? null,
          avatar_url: `https://avatars.example.invalid/u/${user.id}`,
        });
      }
      if (!session.scope.split(/[ ,]/).includes("user:email")) return json(response, 404, { message: "Not Found" });
      return json(
        response,
        200,
        user.emails.map((entry) => ({ ...entry, visibility: entry.primary ? "private" : null })),
      );
    }
    return json(response, 404, { message: "Not Found" });
  }

  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  const encoded = /^Basic (.+)$/i.exec(header ?? "")?.[1];
  if (!encoded) return null;
  const [id, ...rest] = Buffer.from(encoded, "base64").toString("utf8").split(":");
  // RFC 6749 2.3.1: the client id and secret are form-urlencoded inside Basic.
  return { id: decodeURIComponent(id ?? ""), secret: decodeURIComponent(rest.join(":")) };
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? "").split(";")) {
    const [key, ...value] = pair.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}
