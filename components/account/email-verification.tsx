"use client";

import { MailWarningIcon } from "lucide-react";
import { useActionState } from "react";
import { resendVerificationAction } from "@/app/(auth)/email-actions";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

/** "Confirm your address" with a rate-limited resend button (shown until the address is proven). */
export function EmailVerificationNotice({ email }: { email: string }) {
  const [state, formAction] = useActionState(resendVerificationAction, null);
  return (
    <Alert variant="warning" role="status" data-testid="verify-email-notice">
      <MailWarningIcon aria-hidden />
      <AlertTitle>Confirm your email address</AlertTitle>
      <AlertDescription className="text-foreground/80">
        <p>
          Confirm <strong className="break-all">{email}</strong> to use the chat and tools: open the link we emailed you.
        </p>
        <form action={formAction} className="grid justify-items-start gap-2 pt-1">
          {state && !state.ok && <FormMessage tone="error">{state.error.message}</FormMessage>}
          {state?.ok && (
            <FormMessage tone="success">
              {state.data.alreadyVerified ? "Your address is already confirmed." : "We sent a new link. Check your inbox."}
            </FormMessage>
          )}
          <SubmitButton size="sm" variant="outline" pendingText="Sending…">
            Send a new link
          </SubmitButton>
        </form>
      </AlertDescription>
    </Alert>
  );
}
