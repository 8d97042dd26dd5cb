import {
  ArrowRightIcon,
  CheckIcon,
  DatabaseZapIcon,
  GaugeIcon,
  KeyRoundIcon,
  MessagesSquareIcon,
  ReceiptTextIcon,
  ScrollTextIcon,
} from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { buttonVariants } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PLANS } from "@/lib/plans";
import { cn } from "@/lib/utils";

// Six features: the grid is 1, 2 or 3 columns wide, and six fills each without an orphan card.
const FEATURES = [
  {
    icon: KeyRoundIcon,
    title: "No key in the browser",
    text: "Model calls run only on the server. The browser never sees a key, a system prompt or another user's data.",
  },
  {
    icon: GaugeIcon,
    title: "Limits that hold",
    text: "Per-plan daily quotas reserved atomically, rate limits that fail closed, and a global daily budget.",
  },
  {
    icon: MessagesSquareIcon,
    title: "A chat people know",
    text: "Streaming replies with Markdown and code, a stop button, saved conversations, on a phone and in dark mode.",
  },
  {
    icon: ReceiptTextIcon,
    title: "Plans through Stripe",
    text: "Tiers in one typed file; signed, idempotent webhooks set the plan the guard enforces.",
  },
  { icon: DatabaseZapIcon, title: "Answers from cache", text: "The same question twice is served from a per-user cache at zero tokens." },
  {
    icon: ScrollTextIcon,
    title: "Everything audited",
    text: "Every request, served or refused, leaves one audit row, written after the response.",
  },
];

const GATES = [
  { name: "Session", text: "No account, no call." },
  { name: "Input", text: "Strict schema, length for your plan, your own conversation." },
  { name: "One-time token", text: "A captured request cannot be replayed." },
  { name: "Rate limit", text: "Per user and per IP; fails closed if Redis is down." },
  { name: "Quota and budget", text: "The worst case is reserved before the call, settled after." },
  { name: "Cache, then model", text: "Cache hit first; otherwise the model, with your plan's output cap." },
];

const number = (value: number) => value.toLocaleString("en-US");

export default function LandingPage() {
  return (
    <div className="flex flex-col">
      <section className="border-b bg-gradient-to-b from-accent/60 to-background">
        <div className="mx-auto grid w-full max-w-6xl gap-10 px-4 py-16 sm:px-6 md:py-24 lg:grid-cols-[1.1fr_0.9fr] lg:items-center">
          <div className="flex flex-col items-start gap-6">
            <Badge variant="outline" className="bg-background">
              Next.js 16 · Auth.js · Postgres · Redis · Stripe
            </Badge>
            <h1 className="text-4xl font-semibold tracking-tight text-balance sm:text-5xl">
              Ship your AI product on a server that guards every model call.
            </h1>
            <p className="max-w-xl text-lg text-muted-foreground">
              A starter for AI SaaS: streaming chat, per-plan quotas, rate limits, caching and an audit log. Every call is checked like a
              payment, and it runs with zero configuration in development.
            </p>
            <div className="flex flex-wrap gap-3">
              <Link href="/signup" prefetch={false} className={buttonVariants({ size: "lg" })}>
                Create a free account <ArrowRightIcon aria-hidden />
              </Link>
              <Link href="/pricing" prefetch={false} className={buttonVariants({ size: "lg", variant: "outline" })}>
                See pricing
              </Link>
            </div>
          </div>
          <GuardPreview />
        </div>
      </section>

      <section aria-labelledby="features-heading" className="mx-auto w-full max-w-6xl px-4 py-16 sm:px-6">
        <h2 id="features-heading" className="text-2xl font-semibold tracking-tight sm:text-3xl">
          What it does
        </h2>
        <p className="mt-2 max-w-2xl text-muted-foreground">
          The parts every AI product needs before it can charge money, built and tested.
        </p>
        <div className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {FEATURES.map(({ icon: Icon, title, text }) => (
            <Card key={title} className="gap-3">
              <CardHeader>
                <span className="mb-2 flex size-9 items-center justify-center rounded-md bg-accent text-accent-foreground">
                  <Icon className="size-5" aria-hidden />
                </span>
                <CardTitle>
                  <h3>{title}</h3>
                </CardTitle>
              </CardHeader>
              <CardContent>
                <p className="text-sm text-muted-foreground">{text}</p>
              </CardContent>
            </Card>
          ))}
        </div>
      </section>

      <section aria-labelledby="gates-heading" className="border-y bg-muted/40">
        <div className="mx-auto w-full max-w-6xl px-4 py-16 sm:px-6">
          <h2 id="gates-heading" className="text-2xl font-semibold tracking-tight sm:text-3xl">
            How the gates work
          </h2>
          <p className="mt-2 max-w-2xl text-muted-foreground">
            One pipeline on the server, cheapest refusal first. Each refusal tells the user what to do next.
          </p>
          <ol className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {GATES.map((gate, index) => (
              <li key={gate.name} className="flex gap-4 rounded-xl border bg-card p-5">
                <span className="flex size-8 shrink-0 items-center justify-center rounded-full bg-primary text-sm font-semibold text-primary-foreground">
                  {index + 1}
                </span>
                <div>
                  <h3 className="font-medium">{gate.name}</h3>
                  <p className="text-sm text-muted-foreground">{gate.text}</p>
                </div>
              </li>
            ))}
          </ol>
        </div>
      </section>

      <section aria-labelledby="pricing-heading" className="mx-auto w-full max-w-6xl px-4 py-16 sm:px-6">
        <h2 id="pricing-heading" className="text-2xl font-semibold tracking-tight sm:text-3xl">
          Simple plans
        </h2>
        <div className="mt-8 grid gap-4 md:grid-cols-2">
          {Object.values(PLANS).map((plan) => (
            <Card key={plan.id} className={cn(plan.priceLookupKey && "border-primary")}>
              <CardHeader>
                <CardTitle>
                  <h3 className="text-lg">{plan.name}</h3>
                </CardTitle>
                <CardDescription>
                  <span className="text-3xl font-semibold text-foreground">${plan.monthlyPriceUsd}</span> / month
                </CardDescription>
              </CardHeader>
              <CardContent>
                <ul className="grid gap-2 text-sm">
                  <li className="flex gap-2">
                    <CheckIcon className="size-4 shrink-0 translate-y-0.5 text-primary" aria-hidden /> {number(plan.requestsPerDay)}{" "}
                    requests a day
                  </li>
                  <li className="flex gap-2">
                    <CheckIcon className="size-4 shrink-0 translate-y-0.5 text-primary" aria-hidden /> Messages up to{" "}
                    {number(plan.maxInputChars)} characters
                  </li>
                </ul>
              </CardContent>
            </Card>
          ))}
        </div>
        <Link href="/pricing" prefetch={false} className={cn(buttonVariants({ variant: "link" }), "mt-4 px-0")}>
          Compare plans <ArrowRightIcon aria-hidden />
        </Link>
      </section>

      <section className="mx-auto w-full max-w-6xl px-4 pb-20 sm:px-6">
        <div className="flex flex-col items-start gap-4 rounded-2xl bg-primary px-6 py-10 text-primary-foreground sm:px-10 md:flex-row md:items-center md:justify-between">
          <div>
            <h2 className="text-2xl font-semibold tracking-tight">Try it in a minute.</h2>
            <p className="mt-1 opacity-90">Free plan, no card. Ask the chat anything.</p>
          </div>
          <Link href="/signup" prefetch={false} className={buttonVariants({ size: "lg", variant: "secondary" })}>
            Get started
          </Link>
        </div>
      </section>
    </div>
  );
}

/** A still picture of what the guard does with one request (decorative; the text says the same). */
function GuardPreview() {
  const steps = ["session", "input", "token", "rate limit", "quota", "cache", "model", "audit"];
  return (
    <div aria-hidden className="rounded-xl border bg-card p-5 font-mono text-sm shadow-lg">
      <div className="mb-4 flex gap-1.5">
        <span className="size-3 rounded-full bg-muted-foreground/30" />
        <span className="size-3 rounded-full bg-muted-foreground/30" />
        <span className="size-3 rounded-full bg-muted-foreground/30" />
      </div>
      <p className="text-muted-foreground">POST /api/chat</p>
      <ul className="mt-3 grid gap-1.5">
        {steps.map((step, index) => (
          <li key={step} className="flex items-center justify-between gap-4">
            <span>
              <span className="text-muted-foreground">{String(index + 1).padStart(2, "0")}</span> {step}
            </span>
            <span className="text-success">✓ passed</span>
          </li>
        ))}
      </ul>
      <p className="mt-3 border-t pt-3 text-muted-foreground">200 · streamed · 1 audit row</p>
    </div>
  );
}
