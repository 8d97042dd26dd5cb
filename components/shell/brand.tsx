import { ShieldCheckIcon } from "lucide-react";
import Link from "next/link";

export const PRODUCT_NAME = "Secure AI Starter";

export function Brand({ className }: { className?: string }) {
  return (
    <Link href="/" className={`flex items-center gap-2 rounded-md font-semibold tracking-tight ${className ?? ""}`}>
      <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
        <ShieldCheckIcon className="size-4" aria-hidden />
      </span>
      <span className="truncate">{PRODUCT_NAME}</span>
    </Link>
  );
}
