"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** A header link that marks the current section (aria-current) and styles it. */
export function NavLink({ href, children, className }: { href: string; children: React.ReactNode; className?: string }) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    // No prefetch: every page renders per request (the layout reads the session), so a
    // prefetch is a full server render the user may never open.
    <Link
      href={href}
      prefetch={false}
      aria-current={active ? "page" : undefined}
      className={`rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground aria-[current=page]:text-foreground ${className ?? ""}`}
    >
      {children}
    </Link>
  );
}
