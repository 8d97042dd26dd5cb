import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { DailyPoint } from "@/db/queries/console";
import { count } from "./format";
import { Money } from "./money";

/** The charts' figures as a table, folded away: for screen readers, keyboards and exact numbers. */
export function ChartTable({ points }: { points: DailyPoint[] }) {
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-muted-foreground hover:text-foreground">Show the figures as a table</summary>
      <div className="mt-3">
        <Table pinFirstColumn scrollLabel="Requests and spend per day and model">
          <TableHeader>
            <TableRow>
              <TableHead>Day (UTC)</TableHead>
              <TableHead>Model</TableHead>
              <TableHead className="text-right">Requests</TableHead>
              <TableHead className="text-right">Spend</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {points.map((point) => (
              <TableRow key={`${point.day}:${point.model}`}>
                <TableCell className="tabular-nums">{point.day}</TableCell>
                <TableCell>{point.model}</TableCell>
                <TableCell className="text-right tabular-nums">{count(point.requests)}</TableCell>
                <TableCell className="text-right">
                  <Money micros={point.costMicros} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </details>
  );
}
