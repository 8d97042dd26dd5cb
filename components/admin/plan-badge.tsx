import { Badge } from "@/components/ui/badge";

/** A plan's name; paid plans stand out from Free. */
export function PlanBadge({ id, name, ...props }: { id: string; name: string } & React.ComponentProps<"span">) {
  return (
    <Badge variant={id === "free" ? "outline" : "default"} {...props}>
      {name}
    </Badge>
  );
}
