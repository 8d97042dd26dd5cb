import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";

/**
 * A choice of a view that is a link per option (the URL keeps the rest of the view), for what a
 * column header cannot carry: the abuse view's grouping and window, the feedback view's order.
 */
export function ViewToggle({ label, options }: { label: string; options: Array<{ label: string; href: string; active: boolean }> }) {
  return (
    <div role="group" aria-label={label} className="flex flex-wrap items-center gap-1">
      <span className="mr-1 text-sm text-muted-foreground" aria-hidden>
        {label}
      </span>
      {options.map((option) => (
        <Link
          key={option.href}
          href={option.href}
          aria-current={option.active ? "true" : undefined}
          className={buttonVariants({ variant: option.active ? "secondary" : "ghost", size: "sm" })}
        >
          {option.label}
        </Link>
      ))}
    </div>
  );
}
