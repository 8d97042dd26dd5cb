import Link from "next/link";
import { buttonVariants } from "@/components/ui/button";

/** A view's page links (the URLs keep its filters and sort); nothing when there is one page. */
export function Pager({
  previous,
  next,
  previousLabel = "Previous",
  nextLabel = "Next",
}: {
  previous: string | null;
  next: string | null;
  previousLabel?: string;
  nextLabel?: string;
}) {
  if (previous === null && next === null) return null;
  return (
    <nav aria-label="Pages" className="flex gap-2">
      {previous !== null && (
        <Link className={buttonVariants({ variant: "outline", size: "sm" })} href={previous}>
          {previousLabel}
        </Link>
      )}
      {next !== null && (
        <Link className={buttonVariants({ variant: "outline", size: "sm" })} href={next}>
          {nextLabel}
        </Link>
      )}
    </nav>
  );
}
