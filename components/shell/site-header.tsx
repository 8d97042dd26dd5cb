import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { Brand } from "./brand";
import { MobileNav } from "./mobile-nav";
import { navItems } from "./nav-items";
import { NavLink } from "./nav-link";
import { ThemeToggle } from "./theme-toggle";
import { LazyUserMenu } from "./lazy-shell";

type SiteHeaderProps = { user: { email: string; name: string | null; isAdmin: boolean; planName: string } | null };

export function SiteHeader({ user }: SiteHeaderProps) {
  const items = navItems(Boolean(user), Boolean(user?.isAdmin));
  return (
    <header className="sticky top-0 z-40 border-b bg-background/90 backdrop-blur supports-[backdrop-filter]:bg-background/75">
      <div className="mx-auto flex h-14 w-full max-w-6xl items-center gap-2 px-4 sm:px-6">
        <Brand className="mr-2 min-w-0" />
        <nav aria-label="Main" className="flex flex-1 items-center gap-1">
          <div className="hidden items-center gap-1 md:flex">
            {items.map((item) => (
              <NavLink key={item.href} href={item.href}>
                {item.label}
              </NavLink>
            ))}
          </div>
          {!user && (
            <div className="ml-auto flex items-center gap-1">
              <Link href="/login" prefetch={false} className={cn(buttonVariants({ variant: "ghost" }), "hidden md:inline-flex")}>
                Log in
              </Link>
              <Link href="/signup" prefetch={false} className={buttonVariants({ size: "sm" })}>
                Sign up
              </Link>
            </div>
          )}
        </nav>
        {!user && <ThemeToggle className="hidden md:inline-flex" />}
        {user && <LazyUserMenu email={user.email} name={user.name} planName={user.planName} isAdmin={user.isAdmin} />}
        <MobileNav items={items} signedIn={Boolean(user)} />
      </div>
    </header>
  );
}
