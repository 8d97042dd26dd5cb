// A fake Stripe API for tests: a real HTTP server that speaks only the endpoints the app uses
// (customers, prices by lookup key, products, checkout and portal sessions, subscriptions
// retrieve and cancel). It records every request, Idempotency-Key included, replays a repeated
// idempotency key like Stripe does, and serves the checkout and portal pages a browser is sent
// to. `/__fake/*` endpoints let Playwright tests (another process) drive it. Never imported by
// product code: the app reaches it through STRIPE_API_BASE.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseStripeForm } from "./form-body";

type Json = Record<string, unknown>;
export type RecordedRequest = { method: string; path: string; params: Json; idempotencyKey: string | null };
export type FakeSubscription = {
  id: string;
  object: "subscription";
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  created: number;
  metadata: Record<string, string>;
  items: {
    object: "list";
    data: Array<{
      id: string;
      object: "subscription_item";
      price: Json;
      quantity: number;
      current_period_start: number;
      current_period_end: number;
    }>;
  };
};
export type SubscriptionChange = Partial<Pick<FakeSubscription, "status" | "cancel_at_period_end" | "cancel_at">> & {
  current_period_end?: number;
};

const DAY = 24 * 60 * 60;
const now = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_fake${randomBytes(8).toString("hex")}`;

class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly customers = new Map<string, Json>();
  readonly products = new Map<string, Json>();
  readonly prices = new Map<string, Json>();
  readonly checkoutSessions = new Map<string, Json & { line_items: Array<{ price: string }> }>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  private readonly idempotent = new Map<string, { params: string; status: number; body: unknown }>();
  private server?: Server;
  url = "";
  /** In-process tests only: runs before an API request is answered (to look at the app meanwhile). */
  beforeAnswer?: (method: string, path: string) => Promise<void>;

  /** Starts listening on 127.0.0.1 (port 0: any free port). `seedPrices` creates pro_monthly. */
  async start(port = 0, { seedPrices = true } = {}): Promise<this> {
    if (seedPrices)
      this.createPrice({
        product: "prod_fake_pro",
        unit_amount: "2000",
        currency: "usd",
        lookup_key: "pro_monthly",
        recurring: { interval: "month" },
      });
    this.server = createServer((request, response) => void this.route(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  /** What Stripe does when the customer pays: a subscription, and the session completed. */
  completeCheckout(sessionId: string): { session: Json; subscription: FakeSubscription } {
    const session = this.checkoutSessions.get(sessionId);
    if (!session) throw new StripeApiError(404, "resource_missing", `No such checkout.session: '${sessionId}'`);
    if (!session.subscription) {
      const subscription = this.createSubscription(
        String(session.customer),
        session.line_items[0]!.price,
        (session.subscription_data as Json | undefined)?.metadata as Record<string, string>,
      );
      Object.assign(session, { status: "complete", payment_status: "paid", subscription: subscription.id });
    }
    return { session: this.publicSession(session), subscription: this.subscriptions.get(String(session.subscription))! };
  }

  createSubscription(customer: string, priceId: string, metadata: Record<string, string> = {}): FakeSubscription {
    const price = this.prices.get(priceId);
    if (!price) throw new StripeApiError(404, "resource_missing", `No such price: '${priceId}'`);
    const subscription: FakeSubscription = {
      id: newId("sub"),
      object: "subscription",
      customer,
      status: "active",
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      created: now(),
      metadata,
      items: {
        object: "list",
        data: [
          {
            id: newId("si"),
            object: "subscription_item",
            price,
            quantity: 1,
            current_period_start: now(),
            current_period_end: now() + 30 * DAY,
          },
        ],
      },
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** Changes a subscription the way the portal, a renewal or a failed payment would. */
  updateSubscription(id: string, change: SubscriptionChange): FakeSubscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw new StripeApiError(404, "resource_missing", `No such subscription: '${id}'`);
    const { current_period_end, ...fields } = change;
    Object.assign(subscription, fields);
    if (current_period_end !== undefined) for (const item of subscription.items.data) item.current_period_end = current_period_end;
    if (change.status === "canceled") subscription.canceled_at = now();
    return subscription;
  }

  createPrice(params: Json): Json {
    const price = {
      id: newId("price"),
      object: "price",
      active: true,
      type: "recurring",
      product: params.product,
      unit_amount: Number(params.unit_amount),
      currency: params.currency,
      lookup_key: params.lookup_key ?? null,
      recurring: params.recurring ?? null,
      metadata: params.metadata ?? {},
    };
    this.prices.set(price.id, price);
    return price;
  }

  private publicSession(session: Json): Json {
    // line_items and subscription_data are inputs Stripe does not echo back on the session.
    return Object.fromEntries(Object.entries(session).filter(([key]) => key !== "line_items" && key !== "subscription_data"));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    try {
      if (url.pathname.startsWith("/__fake/"))
        return this.control(request.method!, url.pathname, rawBody ? (JSON.parse(rawBody) as Json) : {}, response);
      if (request.method === "GET" && /^\/(checkout|portal)\//.test(url.pathname)) return this.page(url.pathname, response);

      const params = parseStripeForm(request.method === "GET" ? url.searchParams : new URLSearchParams(rawBody));
      const idempotencyKey = (request.headers["idempotency-key"] as string | undefined) ?? null;
      this.requests.push({ method: request.method!, path: url.pathname, params, idempotencyKey });
      await this.beforeAnswer?.(request.method!, url.pathname);
      if (idempotencyKey) {
        const previous = this.idempotent.get(idempotencyKey);
        if (previous && previous.params !== JSON.stringify(params)) {
          throw new StripeApiError(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
          );
        }
        if (previous) return send(response, previous.status, previous.body);
      }
      const body = this.api(request.method!, url.pathname, params);
      if (idempotencyKey) this.idempotent.set(idempotencyKey, { params: JSON.stringify(params), status: 200, body });
      send(response, 200, body);
    } catch (error) {
      if (error instanceof StripeApiError) {
        return send(response, error.status, { error: { type: "invalid_request_error", code: error.code, message: error.message } });
      }
      console.error("fake Stripe failed", error);
      send(response, 500, { error: { type: "api_error", message: String(error) } });
    }
  }

  private api(method: string, path: string, params: Json): unknown {
    // "/v1/checkout/sessions" → "checkout/sessions"; "/v1/subscriptions/sub_1" → "subscriptions/:id"
    const match = /^\/v1\/(checkout\/sessions|billing_portal\/sessions|[a-z_]+)(?:\/([^/]+))?$/.exec(path);
    const [resource, id] = [match?.[1], match?.[2]];
    const key = `${method} ${resource}${id ? "/:id" : ""}`;
    switch (key) {
      case "POST customers": {
        const customer = {
          id: newId("cus"),
          object: "customer",
          email: params.email ?? null,
          name: params.name ?? null,
          metadata: params.metadata ?? {},
        };
        this.customers.set(customer.id, customer);
        return customer;
      }
      case "GET customers/:id":
        return this.found(this.customers, "customer", id!);
      case "GET prices": {
        const lookupKeys = (params.lookup_keys as string[] | undefined) ?? [];
        const data = [...this.prices.values()].filter(
          (price) =>
            (lookupKeys.length === 0 || lookupKeys.includes(String(price.lookup_key))) &&
            (params.active === undefined || String(price.active) === params.active),
        );
        return { object: "list", data: data.slice(0, Number(params.limit ?? 10)), has_more: false, url: "/v1/prices" };
      }
      case "POST prices":
        if (params.lookup_key && [...this.prices.values()].some((price) => price.lookup_key === params.lookup_key)) {
          throw new StripeApiError(400, "lookup_key_exists", `A price with lookup_key ${String(params.lookup_key)} already exists.`);
        }
        return this.createPrice(params);
      case "POST products": {
        const productId = String(params.id ?? newId("prod"));
        if (this.products.has(productId)) throw new StripeApiError(400, "resource_already_exists", "Product already exists.");
        const product = { id: productId, object: "product", name: params.name, active: true, metadata: params.metadata ?? {} };
        this.products.set(productId, product);
        return product;
      }
      case "GET products/:id":
        return this.found(this.products, "product", id!);
      case "POST checkout/sessions":
        return this.createCheckoutSession(params);
      case "POST billing_portal/sessions": {
        if (!this.customers.has(String(params.customer)))
          throw new StripeApiError(404, "resource_missing", `No such customer: '${String(params.customer)}'`);
        const portalId = newId("bps");
        return {
          id: portalId,
          object: "billing_portal.session",
          customer: params.customer,
          return_url: params.return_url,
          url: `${this.url}/portal/${portalId}?return_url=${encodeURIComponent(String(params.return_url))}`,
        };
      }
      case "GET subscriptions": {
        // Stripe's default (no status) lists everything but canceled ones; "all" includes them.
        const data = [...this.subscriptions.values()].filter(
          (subscription) =>
            (params.customer === undefined || subscription.customer === params.customer) &&
            (params.status === "all" ||
              (params.status === undefined ? subscription.status !== "canceled" : subscription.status === params.status)),
        );
        return { object: "list", data: data.slice(0, Number(params.limit ?? 10)), has_more: false, url: "/v1/subscriptions" };
      }
      case "GET subscriptions/:id":
        return this.found(this.subscriptions, "subscription", id!);
      case "DELETE subscriptions/:id":
        this.found(this.subscriptions, "subscription", id!);
        return this.updateSubscription(id!, { status: "canceled" });
      default:
        throw new StripeApiError(404, "unknown_endpoint", `The fake Stripe does not speak ${method} ${path}`);
    }
  }

  private createCheckoutSession(params: Json): Json {
    const lineItems = params.line_items as Array<{ price: string }> | undefined;
    if (params.mode !== "subscription" || !lineItems?.[0]?.price)
      throw new StripeApiError(400, "parameter_missing", "mode=subscription and line_items[0][price] are required");
    if (!this.prices.has(lineItems[0].price)) throw new StripeApiError(404, "resource_missing", `No such price: '${lineItems[0].price}'`);
    if (!this.customers.has(String(params.customer)))
      throw new StripeApiError(404, "resource_missing", `No such customer: '${String(params.customer)}'`);
    const sessionId = newId("cs_test");
    const session = {
      ...params,
      id: sessionId,
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      subscription: null,
      url: `${this.url}/checkout/${sessionId}`,
      line_items: lineItems,
    };
    this.checkoutSessions.set(sessionId, session);
    return this.publicSession(session);
  }

  private found<T>(map: Map<string, T>, kind: string, id: string): T {
    const value = map.get(id);
    if (!value) throw new StripeApiError(404, "resource_missing", `No such ${kind}: '${id}'`);
    return value;
  }

  /** Pages a browser is redirected to: a stand-in for checkout.stripe.com and the portal. */
  private page(pathname: string, response: ServerResponse): void {
    const [, kind, rawId] = pathname.split("/");
    const id = decodeURIComponent(rawId ?? "");
    const session = kind === "checkout" ? this.checkoutSessions.get(id) : undefined;
    const title = kind === "checkout" ? "Fake Stripe Checkout" : "Fake Stripe customer portal";
    const back = session ? String(session.success_url) : "";
    const html = `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>
<p data-testid="fake-stripe-session">${escapeHtml(id)}</p>${back ? `<a href="${escapeHtml(back)}">Return to the app</a>` : ""}</body></html>`;
    response.writeHead(kind === "checkout" && !session ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  }

  private control(method: string, path: string, body: Json, response: ServerResponse): void {
    const parts = path.split("/").filter(Boolean); // "__fake", …
    if (method === "GET" && parts[1] === "requests") return send(response, 200, this.requests);
    if (method === "POST" && parts[1] === "checkout" && parts[3] === "complete")
      return send(response, 200, this.completeCheckout(parts[2]!));
    if (method === "POST" && parts[1] === "subscriptions" && parts[2])
      return send(response, 200, this.updateSubscription(parts[2], body as SubscriptionChange));
    if (method === "GET" && parts[1] === "subscriptions" && parts[2])
      return send(response, 200, this.found(this.subscriptions, "subscription", parts[2]));
    send(response, 404, { error: { message: `no control endpoint ${method} ${path}` } });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "request-id": `req_fake${randomBytes(4).toString("hex")}` });
  response.end(JSON.stringify(body));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export async function startFakeStripe(port = 0, options?: { seedPrices?: boolean }): Promise<FakeStripe> {
  return new FakeStripe().start(port, options);
}
