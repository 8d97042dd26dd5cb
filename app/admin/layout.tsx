import { ConsoleNav } from "@/components/admin/console-nav";
import { PageShell } from "@/components/shell/page";
import { requireAdminPage } from "@/lib/auth/admin";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  // Each page checks again itself: a layout's check does not stop its page from rendering.
  await requireAdminPage("/admin");
  return (
    <PageShell className="grid grid-cols-1 gap-8 md:py-10">
      <ConsoleNav />
      <div className="grid min-w-0 grid-cols-1 gap-6">{children}</div>
    </PageShell>
  );
}
