// Display helpers for the console. Money is stored in integer micro-dollars, and one request
// often costs a few of them: "$0.00" would be false, so small amounts keep their digits.

/**
 * The console's one money formatter (tables, facts, chart axes and tooltips). Two decimals from
 * a dollar up, four from a cent, every micro-dollar digit below a cent: "$12.50", "$0.0123",
 * "$0.000012". `usdExact` is the full figure for a title when this one rounded.
 */
export function usd(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return "—";
  const dollars = Math.abs(micros) / 1_000_000;
  const digits = dollars === 0 || dollars >= 1 ? 2 : dollars >= 0.01 ? 4 : 6;
  return `${micros < 0 ? "-" : ""}$${dollars.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

/** Every micro-dollar: "$1,234.567891". */
export function usdExact(micros: number): string {
  const dollars = Math.abs(micros) / 1_000_000;
  return `${micros < 0 ? "-" : ""}$${dollars.toLocaleString("en-US", { minimumFractionDigits: 6, maximumFractionDigits: 6 })}`;
}

export function count(value: number): string {
  return value.toLocaleString("en-US");
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
