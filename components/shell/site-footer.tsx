"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { Brand } from "./brand";

/** The footer of public and account pages; the chat fills the whole screen below the header. */
export function SiteFooter({ signedIn }: { signedIn: boolean }) {
  const pathname = usePathname();
  if (pathname === "/chat" || pathname.startsWith("/chat/")) return null;
  const links = signedIn
    ? [
        { href: "/chat", label: "Chat" },
        { href: "/pricing", label: "Pricing" },
        { href: "/account", label: "Account" },
      ]
    : [
        { href: "/pricing", label: "Pricing" },
        { href: "/login", label: "Log in" },
        { href: "/signup", label: "Sign up" },
      ];
  return (
    <footer className="border-t">
      <div className="mx-auto flex w-full max-w-6xl flex-col gap-4 px-4 py-8 text-sm text-muted-foreground sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <div className="flex flex-col gap-1">
          <Brand className="text-foreground" />
          <p>Every model call gated on the server, like a payment.</p>
        </div>
        <nav aria-label="Footer" className="flex flex-wrap gap-x-5 gap-y-2">
          {links.map((link) => (
            <Link key={link.href} href={link.href} prefetch={false} className="hover:text-foreground hover:underline">
              {link.label}
            </Link>
          ))}
        </nav>
      </div>
    </footer>
  );
}
