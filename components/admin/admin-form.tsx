"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/http/server-action";

type Props = {
  action: (previous: unknown, formData: FormData) => Promise<ActionResult<unknown>>;
  label: string;
  fields: Record<string, string>;
  children?: React.ReactNode;
  variant?: "secondary" | "danger";
  success?: string;
  testId?: string;
};

/** One admin action as a small form: hidden fields, optional inputs, a button, the outcome. */
export function AdminForm({ action, label, fields, children, variant = "secondary", success, testId }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="inline-form" data-testid={testId}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <button type="submit" className={`button ${variant}`} disabled={pending}>
        {label}
      </button>
      {state && !state.ok && (
        <span className="form-error" role="alert">
          {state.error.fieldErrors ? Object.values(state.error.fieldErrors).flat().join(" ") : state.error.message}
        </span>
      )}
      {state?.ok && success && (
        <span className="form-success" role="status">
          {success}
        </span>
      )}
    </form>
  );
}
