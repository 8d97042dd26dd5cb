import Link from "next/link";
import { requireAdminPage } from "@/lib/auth/admin";

const SECTIONS = [
  ["/admin", "Overview"],
  ["/admin/audit", "Audit log"],
  ["/admin/users", "Users"],
  ["/admin/budgets", "Budgets"],
  ["/admin/abuse", "Abuse"],
  ["/admin/feedback", "Feedback"],
] as const;

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  // Each page checks again itself: a layout's check does not stop its page from rendering.
  await requireAdminPage("/admin");
  return (
    <div className="stack">
      <nav className="admin-nav" aria-label="Console">
        {SECTIONS.map(([href, label]) => (
          <Link key={href} href={href} prefetch={false}>
            {label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
