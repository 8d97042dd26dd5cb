import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DemoBadge } from "@/components/chat/demo-badge";
import { PageHeader, PageShell } from "@/components/shell/page";
import { SummarizeForm } from "@/components/tools/summarize-form";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { isDemoModel } from "@/lib/ai/provider";
import { issueRequestToken } from "@/lib/guard/request-token";
import { PAID_PLANS } from "@/lib/plans";
import { getSessionUser } from "@/lib/auth/session-user";
import { isBillingConfigured } from "@/lib/stripe";

// Its server action calls the model: the platform may run it this long (tests/unit/max-duration.test.ts
// keeps every upstream timeout of one request below it).
export const maxDuration = 300;

export const metadata: Metadata = { title: "Summarize" };

export default async function SummarizePage() {
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/tools/summarize");
  const plan = effectivePlan(await getSubscription(user.id));
  return (
    <PageShell className="max-w-3xl">
      <PageHeader
        title="Summarize"
        description="A title, a few bullet points and the sentiment, as validated JSON. The same text twice is answered from the cache."
      >
        {isDemoModel() && <DemoBadge />}
      </PageHeader>
      <SummarizeForm
        initialToken={issueRequestToken(user.id)}
        models={[...plan.models]}
        maxChars={plan.maxInputChars}
        canUpgrade={isBillingConfigured && plan.id !== PAID_PLANS.at(-1)?.id}
      />
    </PageShell>
  );
}
