"use client";

import { MenuIcon } from "lucide-react";
import dynamic from "next/dynamic";
import { useRef, useState } from "react";
import { buttonVariants } from "@/components/ui/button-variants";
import type { NavItem } from "./nav-items";

// The sheet (a Radix dialog) is fetched when the menu is first wanted (hover, focus or tap),
// not with every page: most visits never open it.
const loadSheet = () => import("./mobile-nav-sheet");
const MobileNavSheet = dynamic(() => loadSheet().then((module) => module.MobileNavSheet), { ssr: false });

/** On a phone the header collapses into this menu button, which opens a sheet. */
export function MobileNav({ items, signedIn }: { items: NavItem[]; signedIn: boolean }) {
  const [open, setOpen] = useState(false);
  const [wanted, setWanted] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button
        ref={button}
        type="button"
        className={buttonVariants({ variant: "ghost", size: "icon", className: "md:hidden" })}
        aria-label="Open menu"
        aria-haspopup="dialog"
        aria-expanded={open}
        onPointerEnter={() => void loadSheet()}
        onFocus={() => void loadSheet()}
        onClick={() => {
          setWanted(true);
          setOpen(true);
        }}
      >
        <MenuIcon aria-hidden />
      </button>
      {wanted && <MobileNavSheet items={items} signedIn={signedIn} open={open} onOpenChange={setOpen} returnFocusTo={button} />}
    </>
  );
}
