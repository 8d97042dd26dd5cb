"use server";

import { z } from "zod";
import { saveFeedback } from "@/db/queries/feedback";
import { evictCachedAnswer } from "@/lib/semantic/cache";
import { userAction } from "@/lib/http/server-action";
import { AppError, rateLimitedError } from "@/lib/errors";
import { FEEDBACK_LIMIT } from "@/lib/plans";
import { checkLimits, createLimiter } from "@/lib/redis/limiter";

const feedbackLimiter = createLimiter("feedback", FEEDBACK_LIMIT.attempts, FEEDBACK_LIMIT.window);

const feedbackSchema = z.object({
  requestId: z.uuid(),
  rating: z.enum(["up", "down"]),
  note: z.string().trim().max(500, "Keep the note under 500 characters.").optional().default(""),
});

/**
 * A thumbs up or down (with an optional note) on one of the caller's own answers, stored against
 * the request's audit row. Voting again on the same answer replaces the vote.
 */
export const sendFeedbackAction = userAction(feedbackSchema, async ({ requestId, rating, note }, user) => {
  const limit = await checkLimits([[feedbackLimiter, user.id]]);
  if (!limit.allowed) throw rateLimitedError(limit.retryAfterSeconds);
  // The audit row is written just after the answer's response ends: give a quick click a moment.
  for (let attempt = 0; attempt < 4; attempt++) {
    const saved = await saveFeedback({ requestId, userId: user.id, rating: rating === "up" ? 1 : -1, note: note || null });
    if (saved) {
      // A thumbs-down on an answer takes it out of both caches: it is never served again.
      if (rating === "down") await evictCachedAnswer(requestId, user.id);
      return { rating };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // The same answer whether the request is someone else's or does not exist.
  throw new AppError("not_found", { message: "That answer cannot be rated." });
});
