"use client";

import { TriangleAlertIcon } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button-variants";

// A page that failed to render, inside the normal shell. Loaded with every page, so it keeps to
// plain classes (no Button component, no tailwind-merge). The error's details stay in the server
// log (its digest links the two); the visitor gets a way forward.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-6 px-4 py-24 text-center">
      <span className="flex size-14 items-center justify-center rounded-full bg-destructive/10 text-destructive">
        <TriangleAlertIcon className="size-7" aria-hidden />
      </span>
      <div className="grid gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">Something went wrong</h1>
        <p className="max-w-md text-muted-foreground">
          This page could not be shown. Try again; if it keeps happening, tell us the reference below.
        </p>
        {error.digest && <p className="font-mono text-xs text-muted-foreground">Reference: {error.digest}</p>}
      </div>
      <div className="flex flex-wrap justify-center gap-3">
        <button type="button" className={buttonVariants()} onClick={reset}>
          Try again
        </button>
        <Link href="/" className={buttonVariants({ variant: "outline" })}>
          Go home
        </Link>
      </div>
    </div>
  );
}
