import { cn } from "@/lib/utils";

type UsageMeterProps = { label: string; used: number; limit: number };

/** How much of today's limit is used: amber from 80 %, red at 100 %, with the state in words. */
export function usageLevel(used: number, limit: number): "ok" | "near" | "reached" {
  if (limit <= 0 || used >= limit) return "reached";
  return used / limit >= 0.8 ? "near" : "ok";
}

export function UsageMeter({ label, used, limit }: UsageMeterProps) {
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  const level = usageLevel(used, limit);
  return (
    <div className="grid gap-2" data-level={level}>
      <div className="flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-muted-foreground tabular-nums">
          {used.toLocaleString("en-US")} of {limit.toLocaleString("en-US")}
        </span>
      </div>
      {/* A meter (not a progress bar): it measures an amount within a range. */}
      <div
        className="h-2 overflow-hidden rounded-full bg-muted"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit}
        aria-valuenow={used}
      >
        <div
          className={cn(
            "h-full rounded-full transition-all",
            level === "ok" && "bg-primary",
            level === "near" && "bg-warning",
            level === "reached" && "bg-destructive",
          )}
          style={{ width: `${percent}%` }}
        />
      </div>
      {level !== "ok" && (
        <p className={cn("text-sm font-medium", level === "near" ? "text-warning" : "text-destructive")}>
          {level === "near" ? `${percent} % used: close to today's limit` : "Today's limit is reached"}
        </p>
      )}
    </div>
  );
}
