import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DemoBadge } from "@/components/chat/demo-badge";
import { PageHeader, PageShell } from "@/components/shell/page";
import { RewriteForm } from "@/components/tools/rewrite-form";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { isDemoModel } from "@/lib/ai/provider";
import { issueRequestToken } from "@/lib/guard/request-token";
import { PAID_PLANS } from "@/lib/plans";
import { getSessionUser } from "@/lib/auth/session-user";
import { isBillingConfigured } from "@/lib/stripe";
import { REWRITE_TONES } from "@/lib/tools/rewrite";

// Its server action calls the model: the platform may run it this long (tests/unit/max-duration.test.ts
// keeps every upstream timeout of one request below it).
export const maxDuration = 300;

export const metadata: Metadata = { title: "Rewrite" };

export default async function RewritePage() {
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/tools/rewrite");
  const plan = effectivePlan(await getSubscription(user.id));
  return (
    <PageShell className="max-w-3xl">
      <PageHeader
        title="Rewrite"
        description="Your text in another tone: friendly, formal, concise or confident. The same text and tone twice is answered from the cache."
      >
        {isDemoModel() && <DemoBadge />}
      </PageHeader>
      <RewriteForm
        initialToken={issueRequestToken(user.id)}
        tones={[...REWRITE_TONES]}
        maxChars={plan.maxInputChars}
        canUpgrade={isBillingConfigured && plan.id !== PAID_PLANS.at(-1)?.id}
      />
    </PageShell>
  );
}
