import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { DemoBanner } from "@/components/chat/demo-banner";
import { SummarizeForm } from "@/components/tools/summarize-form";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { isDemoModel } from "@/lib/ai/provider";
import { issueRequestToken } from "@/lib/guard/request-token";
import { getSessionUser } from "@/lib/session";

export const metadata: Metadata = { title: "Summarize" };

export default async function SummarizePage() {
  const user = await getSessionUser();
  if (!user) redirect("/login?next=/tools/summarize");
  const plan = effectivePlan(await getSubscription(user.id));
  return (
    <div className="stack">
      <h1>Summarize</h1>
      <p className="lead">A title, a few bullet points and the sentiment, as validated JSON. The same text twice is answered from the cache.</p>
      {isDemoModel() && <DemoBanner />}
      <SummarizeForm initialToken={issueRequestToken(user.id)} models={[...plan.models]} maxChars={plan.maxInputChars} />
    </div>
  );
}
