"use client";

import { DatabaseZapIcon } from "lucide-react";
import { useActionState, useState } from "react";
import { rewriteAction } from "@/app/tools/rewrite/actions";
import { CopyButton } from "@/components/chat/copy-button";
import { FeedbackButtons } from "@/components/chat/feedback-buttons";
import { RefusalAlert, refusalEndsAt } from "@/components/chat/refusal-alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/submit-button";
import { Textarea } from "@/components/ui/textarea";
import type { GuardedResult } from "@/lib/guard/action";
import { cn } from "@/lib/utils";

type Result = GuardedResult<{ answer: string; cacheHit: boolean }>;
type RewriteFormProps = { initialToken: string; tones: string[]; maxChars: number; canUpgrade: boolean };

export function RewriteForm({ initialToken, tones, maxChars, canUpgrade }: RewriteFormProps) {
  // A refusal's countdown starts when it arrives, so that time is kept with it.
  const [answer, action] = useActionState<{ result: Result; receivedAt: number } | null, FormData>(
    async (previous, formData) => ({ result: await rewriteAction(previous?.result ?? null, formData), receivedAt: Date.now() }),
    null,
  );
  const state = answer?.result ?? null;
  // Controlled: the character count follows the text, and the text stays after a refusal.
  const [text, setText] = useState("");
  const [tone, setTone] = useState(tones[0] ?? "");
  // Each answer carries the next one-time token; the page's token is used once.
  const token = state?.nextToken ?? initialToken;
  const tooLong = text.length > maxChars;
  return (
    <div className="grid gap-6">
      <Card>
        {/* React resets a form after its action; the text and the tone stay for the next try. */}
        <form action={action} onReset={(event) => event.preventDefault()} className="grid gap-6">
          <CardHeader>
            <CardTitle>
              <h2>Your text</h2>
            </CardTitle>
            <CardDescription>An email, a post or a paragraph, and the tone you want.</CardDescription>
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
            <div className="grid gap-2">
              <label htmlFor="tone" className="text-sm font-medium">
                Tone
              </label>
              <select
                id="tone"
                name="tone"
                value={tone}
                onChange={(event) => setTone(event.target.value)}
                className="h-9 w-full max-w-xs rounded-md border border-input bg-background px-3 text-sm capitalize shadow-xs focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                {tones.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
          </CardContent>
          <CardFooter>
            <SubmitButton pendingText="Rewriting…" disabled={tooLong || !text.trim()}>
              Rewrite
            </SubmitButton>
          </CardFooter>
        </form>
      </Card>
      {state && !state.ok && answer && (
        <RefusalAlert key={token} error={state.error} until={refusalEndsAt(state.error, answer.receivedAt)} canUpgrade={canUpgrade} />
      )}
      {state?.ok && (
        <Card aria-label="Rewritten text" data-testid="rewrite" role="region">
          <CardHeader>
            <div className="flex flex-wrap items-center gap-2">
              <CardTitle>
                <h2 className="text-lg">Rewritten</h2>
              </CardTitle>
              {state.data.cacheHit && (
                <Badge variant="outline">
                  <DatabaseZapIcon aria-hidden /> from cache
                </Badge>
              )}
            </div>
          </CardHeader>
          <CardContent>
            <p className="text-sm break-words whitespace-pre-wrap" data-testid="rewrite-text">
              {state.data.answer}
            </p>
            <div className="mt-2 -ml-2 flex items-center">
              <CopyButton text={() => state.data.answer} label="Copy rewritten text" />
            </div>
            <FeedbackButtons key={state.requestId} requestId={state.requestId} />
          </CardContent>
        </Card>
      )}
    </div>
  );
}
