"use client";

import { useActionState } from "react";
import { resendVerificationAction } from "@/app/(auth)/email-actions";
import { SubmitButton } from "@/components/ui/submit-button";

/** "Confirm your address" with a rate-limited resend button (shown until the address is proven). */
export function EmailVerificationNotice({ email }: { email: string }) {
  const [state, formAction] = useActionState(resendVerificationAction, null);
  return (
    <form action={formAction} className="notice form" data-testid="verify-email-notice">
      <p>
        Confirm <strong>{email}</strong> to use the chat and tools: open the link we emailed you.
      </p>
      {state && !state.ok && (
        <p className="form-error" role="alert">
          {state.error.message}
        </p>
      )}
      {state?.ok && (
        <p className="form-success" role="status">
          {state.data.alreadyVerified ? "Your address is already confirmed." : "We sent a new link. Check your inbox."}
        </p>
      )}
      <SubmitButton pendingText="Sending…">Send a new link</SubmitButton>
    </form>
  );
}
