import { Badge } from "@/components/ui/badge";
import { outcomeGroup } from "@/db/queries/console";

const TONE: Record<string, "success" | "secondary" | "warning" | "destructive" | "outline"> = {
  served: "success",
  cached: "secondary",
  "rate limited": "warning",
  "over quota": "warning",
  budget: "warning",
  moderated: "warning",
  "invalid input": "outline",
  "upstream error": "destructive",
  aborted: "outline",
  lost: "destructive",
};

/** A request's raw outcome ("rate_limited", "served"…), coloured by its console group. */
export function OutcomeBadge({ outcome, cacheHit = false }: { outcome: string; cacheHit?: boolean }) {
  return <Badge variant={TONE[outcomeGroup(outcome, cacheHit)] ?? "outline"}>{outcome}</Badge>;
}
