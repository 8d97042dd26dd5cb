"use client";

import { useActionState, useState } from "react";
import { Field, FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/http/server-action";

type AuthFormProps = {
  mode: "signup" | "login";
  action: (previous: unknown, formData: FormData) => Promise<ActionResult<never>>;
  next?: string;
  passwordMinLength: number;
};

// One form for sign-up and log-in: the server action validates and redirects on success;
// anything it returns is an error to show beside the field it concerns.
export function AuthForm({ mode, action, next, passwordMinLength }: AuthFormProps) {
  const [state, formAction] = useActionState(action, null);
  // React resets a form after its action; keep the email so a failed attempt needs only the password again.
  const [email, setEmail] = useState("");
  const error = state && !state.ok ? state.error : undefined;
  const fieldErrors = error?.fieldErrors ?? {};
  const isSignup = mode === "signup";
  return (
    <form action={formAction} className="grid gap-4" noValidate>
      {next && <input type="hidden" name="next" value={next} />}
      {isSignup && <Field name="name" label="Name (optional)" autoComplete="name" errors={fieldErrors.name} />}
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        errors={fieldErrors.email}
      />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete={isSignup ? "new-password" : "current-password"}
        required
        minLength={isSignup ? passwordMinLength : undefined}
        hint={isSignup ? `At least ${passwordMinLength} characters.` : undefined}
        errors={fieldErrors.password}
      />
      {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
      <SubmitButton className="w-full" pendingText={isSignup ? "Creating account…" : "Logging in…"}>
        {isSignup ? "Create account" : "Log in"}
      </SubmitButton>
    </form>
  );
}
