"use client";

import { setUserBlockedAction } from "@/app/admin/actions";
import { Input } from "@/components/ui/input";
import { AdminForm } from "./admin-form";

/** Block or unblock, with the reason the audit log keeps. */
export function BlockUserForm({ userId, blocked }: { userId: string; blocked: boolean }) {
  return (
    <AdminForm
      action={setUserBlockedAction}
      fields={{ userId, blocked: blocked ? "false" : "true" }}
      label={blocked ? "Unblock" : "Block"}
      variant={blocked ? "outline" : "destructive"}
      testId="block-user"
      className="flex flex-wrap items-end gap-2"
    >
      <div className="grid min-w-0 flex-1 basis-56 gap-1.5">
        <label htmlFor="block-reason" className="text-sm font-medium">
          Reason {blocked ? "for unblocking" : "for blocking"} (kept in the audit log)
        </label>
        <Input id="block-reason" name="reason" required maxLength={500} className="h-8" />
      </div>
    </AdminForm>
  );
}
