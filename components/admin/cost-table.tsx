import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { MoneyCell, NumCell, NumHead } from "./cells";

type CostRow = { key: string; name: React.ReactNode; requests: number; costMicros: number };

/** Who or what, its requests and its cost: the overview's top users and spend by model. */
export function CostTable({ nameHead, rows, scrollLabel }: { nameHead: string; rows: CostRow[]; scrollLabel?: string }) {
  return (
    <Table pinFirstColumn scrollLabel={scrollLabel}>
      <TableHeader>
        <TableRow>
          <TableHead>{nameHead}</TableHead>
          <NumHead>Requests</NumHead>
          <NumHead>Cost</NumHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.key}>
            <TableCell className="max-w-40 truncate sm:max-w-64">{row.name}</TableCell>
            <NumCell value={row.requests} />
            <MoneyCell micros={row.costMicros} />
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
