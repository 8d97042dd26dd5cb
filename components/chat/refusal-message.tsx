"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import type { ErrorPayload } from "@/lib/errors";

/**
 * A refusal with its next step: the upgrade link, when the limit resets, a retry countdown.
 * Give it a new `key` per error so the countdown restarts.
 */
export function RefusalMessage({ error }: { error: ErrorPayload }) {
  const [wait, setWait] = useState(error.retryAfterSeconds ?? 0);
  useEffect(() => {
    if (!error.retryAfterSeconds) return;
    const timer = setInterval(() => setWait((seconds) => Math.max(0, seconds - 1)), 1000);
    return () => clearInterval(timer);
  }, [error]);
  return (
    <div className="form-error chat-error" role="alert" data-testid="chat-error">
      <p>{error.message}</p>
      {wait > 0 && <p>You can try again in {wait} s.</p>}
      {error.resetsAt && <p>Resets at {new Date(error.resetsAt).toUTCString()}.</p>}
      {error.nextStep && (
        <p>
          <Link href={error.nextStep.href}>{error.nextStep.label}</Link>
        </p>
      )}
      {error.upgradeUrl && (
        <p>
          <Link href={error.upgradeUrl}>Upgrade your plan</Link> for higher limits.
        </p>
      )}
    </div>
  );
}
