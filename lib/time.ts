// Quotas reset at midnight UTC; days are stored as "YYYY-MM-DD".
export function utcDay(date: Date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

export function nextUtcMidnight(date: Date = new Date()): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));
}
