import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";
import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { ToastHost } from "@/components/shell/lazy-shell";
import { SiteFooter } from "@/components/shell/site-footer";
import { SiteHeader } from "@/components/shell/site-header";
import { ThemeProvider } from "@/components/shell/theme-provider";
import { effectivePlan, getSubscription } from "@/db/queries/account";
import { getSessionUser } from "@/lib/auth/session-user";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Secure AI SaaS Starter", template: "%s · Secure AI SaaS Starter" },
  description: "A Next.js starter where every model call is gated on the server like a payment.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the session makes every page render per request, which the nonce-based CSP
  // (proxy.ts) needs anyway: Next puts this request's nonce on its scripts, and the theme
  // script gets it from here.
  const [user, requestHeaders] = await Promise.all([getSessionUser(), headers()]);
  const plan = user ? effectivePlan(await getSubscription(user.id)) : null;
  const nonce = requestHeaders.get("x-nonce") ?? undefined;
  return (
    // next-themes sets the theme class on <html> before React hydrates.
    <html lang="en" className={`${GeistSans.variable} ${GeistMono.variable}`} suppressHydrationWarning>
      <body className="min-h-dvh font-sans">
        <ThemeProvider nonce={nonce}>
          <a
            href="#main"
            className="sr-only rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
          >
            Skip to content
          </a>
          <div className="flex min-h-dvh flex-col">
            <SiteHeader
              user={user && plan ? { email: user.email ?? "", name: user.name, isAdmin: user.role === "admin", planName: plan.name } : null}
            />
            <main id="main" className="flex flex-1 flex-col">
              {children}
            </main>
            <SiteFooter signedIn={Boolean(user)} />
          </div>
          <ToastHost />
        </ThemeProvider>
      </body>
    </html>
  );
}
