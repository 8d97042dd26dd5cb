import { Progress } from "@/components/ui/progress";
import { Money } from "./money";

// The alert thresholds (lib/guard/budget-alerts.ts records a crossing of each once).
const MARKS = [50, 80, 100];

/** Spend against a budget on a track, with the 50 / 80 / 100 % alert thresholds marked and labelled. */
export function BudgetProgress({
  label,
  spentMicros,
  reservedMicros,
  budgetMicros,
}: {
  label: string;
  spentMicros: number;
  reservedMicros: number;
  budgetMicros: number | null;
}) {
  const ratio = budgetMicros ? spentMicros / budgetMicros : null;
  const width = ratio === null ? 0 : Math.min(100, ratio * 100);
  const tone = ratio === null || ratio < 0.5 ? "bg-primary" : ratio < 0.8 ? "bg-warning" : "bg-destructive";
  return (
    <div className="grid gap-2" data-testid={`budget-${label.toLowerCase().replace(/\s+/g, "-")}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-muted-foreground tabular-nums">
          <Money micros={spentMicros} className="font-medium text-foreground" data-testid="budget-spent" /> of{" "}
          {budgetMicros === null ? "no cap" : <Money micros={budgetMicros} />}
          {ratio !== null && ` (${(ratio * 100).toFixed(1)}%)`}
        </span>
      </div>
      <div className="relative pb-5">
        <Progress value={width} aria-label={`${label} spend`} indicatorClassName={tone} className="h-2.5 bg-muted" />
        {budgetMicros !== null &&
          MARKS.map((mark) => (
            <div key={mark} aria-hidden className="absolute top-0 h-5" style={{ left: `${mark}%` }}>
              <span className="absolute -top-0.5 h-3.5 w-0.5 -translate-x-1/2 rounded-full bg-foreground/60" />
              <span
                className={`absolute top-3.5 text-[0.7rem] text-muted-foreground tabular-nums ${mark === 100 ? "right-0" : "-translate-x-1/2"}`}
              >
                {mark}%
              </span>
            </div>
          ))}
      </div>
      {reservedMicros > 0 && (
        <p className="text-sm text-muted-foreground">
          <Money micros={reservedMicros} /> reserved by requests in flight.
        </p>
      )}
    </div>
  );
}
