"use client";

import { LogOutIcon } from "lucide-react";
import Link from "next/link";
import { useTransition } from "react";
import { signOutAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import type { NavItem } from "./nav-items";
import { ThemeToggle } from "./theme-toggle";

type MobileNavSheetProps = {
  items: NavItem[];
  signedIn: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  returnFocusTo: React.RefObject<HTMLButtonElement | null>;
};

export function MobileNavSheet({ items, signedIn, open, onOpenChange, returnFocusTo }: MobileNavSheetProps) {
  const [signingOut, startSignOut] = useTransition();
  const close = () => onOpenChange(false);
  const links = signedIn
    ? [...items, { href: "/account", label: "Account" }]
    : [...items, { href: "/login", label: "Log in" }, { href: "/signup", label: "Sign up" }];
  return (
    <Sheet open={open} onOpenChange={onOpenChange}>
      <SheetContent
        side="right"
        className="w-72"
        // The menu button lives outside the dialog (it is rendered before the sheet is loaded).
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          returnFocusTo.current?.focus();
        }}
      >
        <SheetHeader>
          <SheetTitle>Menu</SheetTitle>
          <SheetDescription className="sr-only">Site navigation</SheetDescription>
        </SheetHeader>
        <nav aria-label="Mobile" className="grid gap-1 px-2">
          {links.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              prefetch={false}
              onClick={close}
              className="rounded-md px-3 py-2.5 text-base font-medium hover:bg-accent hover:text-accent-foreground"
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="mt-auto flex items-center justify-between gap-2 border-t p-4">
          <span className="text-sm text-muted-foreground">Theme</span>
          <ThemeToggle />
        </div>
        {signedIn && (
          <div className="px-4 pb-4">
            <Button variant="outline" className="w-full" disabled={signingOut} onClick={() => startSignOut(() => signOutAction())}>
              <LogOutIcon aria-hidden /> Log out
            </Button>
          </div>
        )}
      </SheetContent>
    </Sheet>
  );
}
