"use client";

import { useActionState, useState } from "react";
import { sendFeedbackAction } from "./feedback-action";

/** Thumbs up / down on one answer (a chat reply or a tool result), with an optional note on a down-vote. */
export function FeedbackButtons({ requestId }: { requestId: string }) {
  const [state, formAction, pending] = useActionState(sendFeedbackAction, null);
  const [rating, setRating] = useState<"up" | "down" | null>(null);
  const sent = state?.ok ? state.data.rating : null;
  return (
    <form action={formAction} className="feedback" data-testid="feedback" aria-label="Rate this answer">
      <input type="hidden" name="requestId" value={requestId} />
      <button
        type="submit"
        name="rating"
        value="up"
        className="button link"
        aria-pressed={sent === "up"}
        disabled={pending}
        onClick={() => setRating("up")}
        title="Good answer"
      >
        👍<span className="visually-hidden"> Good answer</span>
      </button>
      <button
        type="button"
        className="button link"
        aria-pressed={sent === "down" || rating === "down"}
        disabled={pending}
        onClick={() => setRating("down")}
        title="Bad answer"
      >
        👎<span className="visually-hidden"> Bad answer</span>
      </button>
      {rating === "down" && sent !== "down" && (
        <>
          <input name="note" maxLength={500} placeholder="What was wrong? (optional)" aria-label="What was wrong with this answer" />
          <button type="submit" name="rating" value="down" className="button secondary" disabled={pending}>
            Send
          </button>
        </>
      )}
      {sent && (
        <span className="hint" role="status">
          Thanks for the feedback.
        </span>
      )}
      {state && !state.ok && (
        <span className="form-error" role="alert">
          {state.error.message}
        </span>
      )}
    </form>
  );
}
