"use client";

import { DatabaseZapIcon } from "lucide-react";
import { useActionState, useState } from "react";
import { summarizeAction } from "@/app/tools/summarize/actions";
import { RefusalAlert, refusalEndsAt } from "@/components/chat/refusal-alert";
import { FeedbackButtons } from "@/components/chat/feedback-buttons";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { Textarea } from "@/components/ui/textarea";
import type { GuardedResult } from "@/lib/guard/action";
import type { Summary } from "@/lib/tools/summarize";
import { cn } from "@/lib/utils";

type Result = GuardedResult<{ answer: Summary; cacheHit: boolean }>;
type SummarizeFormProps = { initialToken: string; models: string[]; maxChars: number; canUpgrade: boolean };

const SENTIMENT_VARIANT = { positive: "success", negative: "destructive", neutral: "secondary" } as const;

export function SummarizeForm({ initialToken, models, maxChars, canUpgrade }: SummarizeFormProps) {
  // A refusal's countdown starts when it arrives, so that time is kept with it.
  const [answer, action] = useActionState<{ result: Result; receivedAt: number } | null, FormData>(
    async (previous, formData) => ({ result: await summarizeAction(previous?.result ?? null, formData), receivedAt: Date.now() }),
    null,
  );
  const state = answer?.result ?? null;
  // The text is controlled, so it stays in the box after a refusal (React resets uncontrolled forms).
  const [text, setText] = useState("");
  // Each answer carries the next one-time token; the page's token is used once.
  const token = state?.nextToken ?? initialToken;
  const tooLong = text.length > maxChars;
  return (
    <div className="grid gap-6">
      <Card>
        <form action={action} className="grid gap-6">
          <CardHeader>
            <CardTitle>
              <h2>Your text</h2>
            </CardTitle>
            <CardDescription>Paste an article, an email or notes.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <input type="hidden" name="token" value={token} />
            <div className="grid gap-2">
              <label htmlFor="text" className="text-sm font-medium">
                Text
              </label>
              <Textarea
                id="text"
                name="text"
                rows={8}
                required
                value={text}
                onChange={(event) => setText(event.target.value)}
                aria-invalid={tooLong}
                aria-describedby="text-count"
                className="max-h-96 min-h-40"
              />
              <p id="text-count" className={cn("text-sm text-muted-foreground tabular-nums", tooLong && "font-medium text-destructive")}>
                {text.length.toLocaleString("en-US")} / {maxChars.toLocaleString("en-US")} characters on your plan
              </p>
            </div>
            {models.length > 1 && (
              <div className="grid gap-2">
                <label htmlFor="model" className="text-sm font-medium">
                  Model
                </label>
                <select
                  id="model"
                  name="model"
                  defaultValue={models.at(-1)}
                  className="h-9 w-full max-w-xs rounded-md border border-input bg-background px-3 text-sm shadow-xs focus-visible:ring-[3px] focus-visible:ring-ring/50"
                >
                  {models.map((model) => (
                    <option key={model}>{model}</option>
                  ))}
                </select>
              </div>
            )}
          </CardContent>
          <CardFooter>
            <SubmitButton pendingText="Summarizing…" disabled={tooLong || !text.trim()}>
              Summarize
            </SubmitButton>
          </CardFooter>
        </form>
      </Card>
      {state && !state.ok && (
        <RefusalAlert key={token} error={state.error} until={refusalEndsAt(state.error, answer!.receivedAt)} canUpgrade={canUpgrade} />
      )}
      {state?.ok && (
        <Card aria-label="Summary" data-testid="summary" role="region">
          <CardHeader>
            <div className="flex flex-wrap items-center gap-2">
              <Badge variant={SENTIMENT_VARIANT[state.data.answer.sentiment] ?? "secondary"}>{state.data.answer.sentiment}</Badge>
              {state.data.cacheHit && (
                <Badge variant="outline">
                  <DatabaseZapIcon aria-hidden /> from cache
                </Badge>
              )}
            </div>
            <CardTitle>
              <h2 className="text-lg">{state.data.answer.title}</h2>
            </CardTitle>
          </CardHeader>
          <CardContent>
            <ul className="grid list-disc gap-1.5 pl-5 text-sm">
              {state.data.answer.bullets.map((bullet, index) => (
                <li key={index}>{bullet}</li>
              ))}
            </ul>
            <FeedbackButtons key={state.requestId} requestId={state.requestId} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}
