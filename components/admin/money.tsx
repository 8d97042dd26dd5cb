import { usd, usdExact } from "./format";

type MoneyProps = { micros: number | null | undefined } & Omit<React.ComponentProps<"span">, "children" | "title">;

/** An amount in micro-dollars; when the shown figure is rounded, the exact one is its title. */
export function Money({ micros, className, ...props }: MoneyProps) {
  const shown = usd(micros);
  const exact = micros === null || micros === undefined ? null : usdExact(micros);
  const rounded = exact !== null && Number(exact.replace(/[$,]/g, "")) !== Number(shown.replace(/[$,]/g, ""));
  return (
    <span
      className={className ? `tabular-nums ${className}` : "tabular-nums"}
      title={rounded ? (exact ?? undefined) : undefined}
      {...props}
    >
      {shown}
    </span>
  );
}
