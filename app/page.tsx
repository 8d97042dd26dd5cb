import Link from "next/link";

const FEATURES = [
  { title: "No key in the browser", text: "Model calls run only on the server; the client never sees a key, a system prompt or another user's data." },
  { title: "Gated like a payment", text: "Session, input limits, one-time tokens, rate limits, tier quotas and a global budget before every call." },
  { title: "Plans through Stripe", text: "Tiers in one typed file; Stripe webhooks set the plan the guard enforces." },
  { title: "Everything audited", text: "Every request, served or refused, leaves one audit row, written after the response." },
];

export default function LandingPage() {
  return (
    <>
      <section>
        <h1>Ship your AI product on a server that guards every model call.</h1>
        <p className="lead">
          A Next.js starter for AI SaaS: streaming chat, per-plan quotas, rate limits, caching and an audit log, with
          Postgres, Redis, Auth.js and Stripe. Runs with zero configuration in development.
        </p>
        <div className="actions">
          <Link href="/signup" className="button">
            Create a free account
          </Link>
          <Link href="/login" className="button secondary">
            Log in
          </Link>
        </div>
      </section>
      <section className="grid" aria-label="Features">
        {FEATURES.map((feature) => (
          <div key={feature.title} className="card">
            <h2>{feature.title}</h2>
            <p>{feature.text}</p>
          </div>
        ))}
      </section>
    </>
  );
}
