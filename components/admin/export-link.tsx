import { DownloadIcon } from "lucide-react";
import { buttonVariants } from "@/components/ui/button";

/** The download of a view as CSV: `href` is the view's export route with the view's own query string. */
export function ExportLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <a href={href} download className={buttonVariants({ variant: "outline" })}>
      <DownloadIcon aria-hidden />
      {children}
    </a>
  );
}
