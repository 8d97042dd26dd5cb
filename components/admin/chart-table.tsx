import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { DailyPoint } from "@/db/queries/console";
import { MoneyCell, NumCell, NumHead } from "./cells";

/**
 * A chart's figures as a table, folded away: the same numbers for screen readers, keyboards and
 * anyone who wants them exact. `byModel` adds the model column (the overview's charts stack by model).
 */
export function ChartTable({ points, label, byModel = true }: { points: DailyPoint[]; label: string; byModel?: boolean }) {
  return (
    <details className="text-sm" data-testid="chart-table">
      <summary className="cursor-pointer text-muted-foreground hover:text-foreground">Show the figures as a table</summary>
      <div className="mt-3">
        <Table pinFirstColumn scrollLabel={label}>
          <TableHeader>
            <TableRow>
              <TableHead>Day (UTC)</TableHead>
              {byModel && <TableHead>Model</TableHead>}
              <NumHead>Requests</NumHead>
              <NumHead>Spend</NumHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {points.map((point) => (
              <TableRow key={`${point.day}:${point.model}`}>
                <TableCell className="tabular-nums">{point.day}</TableCell>
                {byModel && <TableCell>{point.model}</TableCell>}
                <NumCell value={point.requests} />
                <MoneyCell micros={point.costMicros} />
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </details>
  );
}
