"use client";

import { MoonIcon, SunIcon } from "lucide-react";
import { useTheme } from "next-themes";
import { buttonVariants } from "@/components/ui/button-variants";

/** One button that flips light and dark (signed-in users also get "System" in their menu). */
export function ThemeToggle({ className }: { className?: string }) {
  const { resolvedTheme, setTheme } = useTheme();
  const next = resolvedTheme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className={buttonVariants({ variant: "ghost", size: "icon", className })}
      aria-label="Toggle dark mode"
      onClick={() => setTheme(next)}
    >
      {/* Both icons rendered, CSS picks one: the server does not know the theme, so no hydration mismatch. */}
      <SunIcon className="hidden dark:block" aria-hidden />
      <MoonIcon className="dark:hidden" aria-hidden />
    </button>
  );
}
