"use client";

import dynamic from "next/dynamic";
import { Skeleton } from "@/components/ui/skeleton";
import type { DailyPoint } from "@/db/queries/console";

// recharts is large: it loads only here, on /admin, after the page has rendered.
const SpendChartBody = dynamic(() => import("./spend-chart-body"), {
  ssr: false,
  loading: () => <Skeleton className="h-60 w-full" />,
});

/** The chart is a picture for sighted readers; the same figures follow it as a table (ChartTable). */
export function SpendChart({
  points,
  metric,
  label,
  legend = true,
}: {
  points: DailyPoint[];
  metric: "costMicros" | "requests";
  label: string;
  /** Off for a chart of one series its heading already names (one user's spend). */
  legend?: boolean;
}) {
  return (
    <div role="img" aria-label={label} className="h-60 w-full min-w-0">
      <SpendChartBody points={points} metric={metric} legend={legend} />
    </div>
  );
}
