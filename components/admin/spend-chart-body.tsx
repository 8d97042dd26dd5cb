"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DailyPoint } from "@/db/queries/console";

const dollars = (value: number) => (value === 0 ? "$0" : value < 0.01 ? `$${Number(value.toPrecision(2))}` : `$${value.toFixed(2)}`);

const COLORS = ["#6366f1", "#14b8a6", "#f59e0b", "#ef4444", "#8b5cf6", "#22c55e"];

/** Per-day bars stacked by model: spend in dollars or request counts. */
export default function SpendChartBody({ points, metric }: { points: DailyPoint[]; metric: "costMicros" | "requests" }) {
  const models = [...new Set(points.map((point) => point.model))];
  const byDay = new Map<string, Record<string, number | string>>();
  for (const point of points) {
    const row = byDay.get(point.day) ?? { day: point.day.slice(5) };
    row[point.model] = metric === "costMicros" ? point.costMicros / 1_000_000 : point.requests;
    byDay.set(point.day, row);
  }
  const data = [...byDay.values()];
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="day" fontSize={12} />
          <YAxis fontSize={12} width={72} tickFormatter={(value: number) => (metric === "costMicros" ? dollars(value) : String(value))} />
          <Tooltip formatter={(value) => (metric === "costMicros" ? dollars(Number(value)) : String(value))} />
          <Legend />
          {models.map((model, index) => (
            <Bar key={model} dataKey={model} stackId="day" fill={COLORS[index % COLORS.length]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
