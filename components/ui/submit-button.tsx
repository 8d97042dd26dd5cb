"use client";

import { Loader2Icon } from "lucide-react";
import { useFormStatus } from "react-dom";
import { buttonVariants, type ButtonVariantProps } from "@/components/ui/button-variants";

type SubmitButtonProps = Omit<React.ComponentProps<"button">, "type"> & ButtonVariantProps & { pendingText: string };

/**
 * A form's submit button that shows a spinner and its pending text while the action runs.
 * Button classes without tailwind-merge (it is on the log-in page): pass layout classes
 * (w-full), not ones that fight a variant's.
 */
export function SubmitButton({ children, pendingText, disabled, variant, size, className, ...props }: SubmitButtonProps) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      data-slot="button"
      className={buttonVariants({ variant, size, className })}
      disabled={pending || disabled}
      aria-busy={pending}
      {...props}
    >
      {pending && <Loader2Icon className="animate-spin" aria-hidden />}
      {pending ? pendingText : children}
    </button>
  );
}
