import { ArrowDownIcon, ArrowUpDownIcon, ArrowUpIcon } from "lucide-react";
import Link from "next/link";
import { TableHead } from "@/components/ui/table";
import { cn } from "@/lib/utils";

type SortableHeadProps = {
  /** The order this column shows now, or undefined when the view is sorted by another column. */
  sorted: "ascending" | "descending" | undefined;
  /** The view's URL sorted the other way (or by this column, when it is not the sort now). */
  href: string;
  /** What following the link does, for screen readers: "sort oldest first". */
  next: string;
  className?: string;
  children: React.ReactNode;
};

/**
 * A column header that sorts the table on the server: a link to the same view with another
 * `sort` (the URL keeps the filters), and `aria-sort` on the column it is sorted by.
 */
export function SortableHead({ sorted, href, next, className, children }: SortableHeadProps) {
  const Icon = sorted === "ascending" ? ArrowUpIcon : sorted === "descending" ? ArrowDownIcon : ArrowUpDownIcon;
  return (
    <TableHead aria-sort={sorted} className={className}>
      <Link
        href={href}
        className={cn(
          "inline-flex items-center gap-1 hover:text-foreground",
          sorted && "text-foreground",
          className?.includes("text-right") && "flex-row-reverse",
        )}
      >
        {children}
        <Icon className="size-3" aria-hidden />
        <span className="sr-only">{`(${sorted ? `sorted ${sorted}; ` : ""}${next})`}</span>
      </Link>
    </TableHead>
  );
}
