// Display helpers for the console: money is stored in integer micro-dollars.

export function usd(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return "—";
  const dollars = micros / 1_000_000;
  return `$${dollars.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: dollars !== 0 && Math.abs(dollars) < 1 ? 4 : 2 })}`;
}

export function percent(ratio: number | null): string {
  return ratio === null ? "—" : `${(ratio * 100).toFixed(1)}%`;
}

export function ms(value: number | null): string {
  return value === null ? "—" : `${value} ms`;
}

export function dateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
