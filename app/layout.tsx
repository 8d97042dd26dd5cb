import { GeistSans } from "geist/font/sans";
import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { getSessionUser } from "@/lib/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Secure AI SaaS Starter", template: "%s · Secure AI SaaS Starter" },
  description: "A Next.js starter where every model call is gated on the server like a payment.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the session makes every page render per request, which the nonce-based CSP
  // (proxy.ts) needs anyway: Next puts this request's nonce on its scripts.
  const user = await getSessionUser();
  return (
    <html lang="en" className={GeistSans.variable}>
      <body>
        <header className="site-header">
          <div className="container">
            <Link href="/" className="brand">
              Secure AI Starter
            </Link>
            <nav className="nav" aria-label="Main">
              {/* No prefetch on these nav links: every page renders per request (the layout reads
                  the session), so a prefetch is a full server render the user may never open. */}
              <Link href="/pricing" prefetch={false}>
                Pricing
              </Link>
              {user ? (
                <>
                  {/* No prefetch: as for Pricing above. */}
                  <Link href="/chat" prefetch={false}>
                    Chat
                  </Link>
                  <Link href="/tools/summarize" prefetch={false}>
                    Summarize
                  </Link>
                  {user.role === "admin" && <Link href="/admin">Admin</Link>}
                  <Link href="/account">Account</Link>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Link href="/login">Log in</Link>
                  <Link href="/signup" className="button">
                    Sign up
                  </Link>
                </>
              )}
            </nav>
          </div>
        </header>
        <main className="container">{children}</main>
      </body>
    </html>
  );
}
