import { usd } from "./format";

const MARKS = [50, 80, 100];

/** Spend against a budget, with the 50 / 80 / 100 % alert thresholds marked on the bar. */
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
  const tone = ratio === null ? "" : ratio >= 1 ? "over" : ratio >= 0.8 ? "high" : ratio >= 0.5 ? "mid" : "";
  return (
    <div className="budget" data-testid={`budget-${label.toLowerCase().replace(/\s+/g, "-")}`}>
      <div className="meter-label">
        <strong>{label}</strong>
        <span>
          <span data-testid="budget-spent">{usd(spentMicros)}</span> of {budgetMicros === null ? "no cap" : usd(budgetMicros)}
          {ratio !== null && ` (${(ratio * 100).toFixed(1)}%)`}
        </span>
      </div>
      <div
        className={`meter-bar budget-bar ${tone}`}
        role="progressbar"
        aria-label={`${label} spend`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(width)}
      >
        <div className="meter-fill" style={{ width: `${width}%` }} />
        {budgetMicros !== null && MARKS.map((mark) => <span key={mark} className="budget-mark" style={{ left: `${mark}%` }} aria-hidden />)}
      </div>
      {reservedMicros > 0 && <p className="hint">{usd(reservedMicros)} reserved by requests in flight.</p>}
    </div>
  );
}
