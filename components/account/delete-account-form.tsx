"use client";

import { Loader2Icon } from "lucide-react";
import { useActionState } from "react";
import { deleteAccountAction } from "@/app/account/billing-actions";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Field, FormMessage } from "@/components/ui/field";

/** The danger zone: a button, then a dialog where the user types the confirmation word (and, with a password, the password). */
export function DeleteAccountForm({ confirmation, hasPassword }: { confirmation: string; hasPassword: boolean }) {
  const [state, formAction, pending] = useActionState(deleteAccountAction, null);
  const error = state && !state.ok ? state.error : undefined;
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="destructive">Delete account</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Delete your account?</DialogTitle>
          <DialogDescription>
            This cancels your subscription at once and deletes your conversations and usage history. It cannot be undone.
          </DialogDescription>
        </DialogHeader>
        <form action={formAction} className="grid gap-4" noValidate>
          <Field
            name="confirmation"
            label={`Type ${confirmation} to delete your account`}
            autoComplete="off"
            errors={error?.fieldErrors?.confirmation}
          />
          {hasPassword && (
            <Field
              name="currentPassword"
              id="delete-account-password"
              label="Confirm with your password"
              type="password"
              autoComplete="current-password"
              errors={error?.fieldErrors?.currentPassword}
            />
          )}
          {error && !error.fieldErrors && <FormMessage tone="error">{error.message}</FormMessage>}
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" variant="destructive" disabled={pending} aria-busy={pending}>
              {pending && <Loader2Icon className="animate-spin" aria-hidden />}
              {pending ? "Deleting…" : "Delete account"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
