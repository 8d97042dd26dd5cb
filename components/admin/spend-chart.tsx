"use client";

import dynamic from "next/dynamic";
import type { DailyPoint } from "@/db/queries/console";

// recharts is large: it loads only here, on /admin, after the page has rendered.
const SpendChartBody = dynamic(() => import("./spend-chart-body"), {
  ssr: false,
  loading: () => <div className="chart-placeholder" aria-hidden />,
});

export function SpendChart({ points, metric }: { points: DailyPoint[]; metric: "costMicros" | "requests" }) {
  return <SpendChartBody points={points} metric={metric} />;
}
