"use client";

import { useActionState } from "react";
import { summarizeAction } from "@/app/tools/summarize/actions";
import { FeedbackButtons } from "@/components/chat/feedback-buttons";
import { RefusalMessage } from "@/components/chat/refusal-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { GuardedResult } from "@/lib/guard/action";
import type { Summary } from "@/lib/tools/summarize";

type Result = GuardedResult<{ summary: Summary; cacheHit: boolean }>;

export function SummarizeForm({ initialToken, models, maxChars }: { initialToken: string; models: string[]; maxChars: number }) {
  const [state, action] = useActionState<Result | null, FormData>(summarizeAction, null);
  // Each answer carries the next one-time token; the page's token is used once.
  const token = state?.nextToken ?? initialToken;
  return (
    <div className="stack">
      <form action={action} className="form card">
        <input type="hidden" name="token" value={token} />
        <div className="field">
          <label htmlFor="text">Text</label>
          <textarea id="text" name="text" rows={8} required maxLength={maxChars} defaultValue={state && !state.ok ? undefined : ""} />
          <p className="hint">Up to {maxChars.toLocaleString("en-US")} characters on your plan.</p>
        </div>
        {models.length > 1 && (
          <div className="field">
            <label htmlFor="model">Model</label>
            <select id="model" name="model" defaultValue={models.at(-1)}>
              {models.map((model) => (
                <option key={model}>{model}</option>
              ))}
            </select>
          </div>
        )}
        <SubmitButton pendingText="Summarizing…">Summarize</SubmitButton>
      </form>
      {state && !state.ok && <RefusalMessage key={token} error={state.error} />}
      {state?.ok && (
        <section className="card summary-result" aria-label="Summary" data-testid="summary">
          <h2>{state.data.summary.title}</h2>
          <ul>
            {state.data.summary.bullets.map((bullet, index) => (
              <li key={index}>{bullet}</li>
            ))}
          </ul>
          <p>
            Sentiment: <span className="badge">{state.data.summary.sentiment}</span>
            {state.data.cacheHit && <span className="badge"> from cache</span>}
          </p>
          <FeedbackButtons key={state.requestId} requestId={state.requestId} />
        </section>
      )}
    </div>
  );
}
