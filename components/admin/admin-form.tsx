"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/http/server-action";

type Props = {
  action: (previous: unknown, formData: FormData) => Promise<ActionResult<unknown>>;
  label: string;
  fields: Record<string, string>;
  children?: React.ReactNode;
  variant?: "outline" | "destructive" | "default";
  success?: string;
  testId?: string;
  className?: string;
};

/** One admin action as a small form: hidden fields, optional inputs, a button, the outcome. */
export function AdminForm({ action, label, fields, children, variant = "outline", success, testId, className }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className={className ?? "flex flex-wrap items-center gap-2"} data-testid={testId}>
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
      <Button type="submit" size="sm" variant={variant} disabled={pending} aria-busy={pending}>
        {label}
      </Button>
      {state && !state.ok && (
        <span className="text-sm text-destructive" role="alert">
          {state.error.fieldErrors ? Object.values(state.error.fieldErrors).flat().join(" ") : state.error.message}
        </span>
      )}
      {state?.ok && success && (
        <span className="text-sm text-success" role="status">
          {success}
        </span>
      )}
    </form>
  );
}
