"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyPoint } from "@/db/queries/console";
import { count, usd } from "./format";

// The theme's tokens (app/globals.css, light and dark) for every part recharts would otherwise
// colour itself: series, axis ticks and lines, grid, hover cursor, tooltip box and its items,
// legend text (recharts paints legend and tooltip text in each series' colour, which is not
// the design and reads poorly on the popover). Switching the theme swaps the variables; the
// chart needs no re-render.
const SERIES = ["var(--chart-1)", "var(--chart-2)", "var(--chart-3)", "var(--chart-4)", "var(--chart-5)", "var(--chart-6)"];
const TEXT = { fontSize: 12, fontFamily: "inherit" };
const TICK = { ...TEXT, fill: "var(--muted-foreground)" };
const legendText = (value: string) => <span style={{ color: "var(--foreground)" }}>{value}</span>;
const WINDOW_DAYS = 30;
// Audit rows with no model are requests refused before one was chosen.
const seriesName = (model: string) => (model === "none" ? "refused (no model)" : model);

/** Per-day bars stacked by model: spend (micro-dollars, shown with the console's formatter) or request counts. */
export default function SpendChartBody({
  points,
  metric,
  legend,
}: {
  points: DailyPoint[];
  metric: "costMicros" | "requests";
  legend: boolean;
}) {
  const models = [...new Set(points.map((point) => point.model))];
  // Every day of the window, empty ones too: one day of data is one slim bar, not the whole width.
  const byDay = new Map<string, Record<string, number | string>>();
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  for (let back = WINDOW_DAYS - 1; back >= 0; back--) {
    const day = new Date(today - back * 86_400_000).toISOString().slice(0, 10);
    byDay.set(day, { day: day.slice(5) });
  }
  for (const point of points) {
    const row = byDay.get(point.day) ?? { day: point.day.slice(5) };
    row[point.model] = point[metric];
    byDay.set(point.day, row);
  }
  const format = (value: unknown) => (metric === "costMicros" ? usd(Number(value)) : count(Number(value)));
  return (
    <ResponsiveContainer width="100%" height={240}>
      <BarChart data={[...byDay.values()]} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis dataKey="day" tick={TICK} tickLine={false} axisLine={{ stroke: "var(--border)" }} minTickGap={16} />
        {/* Whole micro-dollars and whole requests: no tick reads "$5e-7" or "0.25 requests". */}
        <YAxis tick={TICK} tickLine={false} axisLine={false} width={80} allowDecimals={false} tickFormatter={format} />
        <Tooltip
          formatter={format}
          cursor={{ fill: "var(--muted)" }}
          contentStyle={{
            ...TEXT,
            background: "var(--popover)",
            color: "var(--popover-foreground)",
            border: "1px solid var(--border)",
            borderRadius: "var(--radius)",
            boxShadow: "0 4px 12px oklch(0 0 0 / 12%)",
          }}
          labelStyle={{ color: "var(--popover-foreground)", fontWeight: 500 }}
          itemStyle={{ color: "var(--popover-foreground)" }}
        />
        {legend && <Legend wrapperStyle={TEXT} iconType="square" iconSize={10} formatter={legendText} />}
        {models.map((model, index) => (
          <Bar key={model} dataKey={model} name={seriesName(model)} stackId="day" maxBarSize={24} fill={SERIES[index % SERIES.length]} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
