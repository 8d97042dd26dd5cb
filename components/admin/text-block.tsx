import { cn } from "@/lib/utils";

/** A stored prompt, response or JSON: monospace, wrapped, scrolling inside its own box when long. */
export function TextBlock({ className, ...props }: React.ComponentProps<"pre">) {
  return (
    <pre
      className={cn(
        "max-h-96 overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs leading-5 break-words whitespace-pre-wrap",
        className,
      )}
      {...props}
    />
  );
}
