import { FlaskConicalIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";

/** The one label that says replies are simulated (development without OPENAI_API_KEY). */
export function DemoBadge() {
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <Badge variant="outline" tabIndex={0} data-testid="demo-banner" className="border-warning/60">
          <FlaskConicalIcon aria-hidden /> Demo model
        </Badge>
      </TooltipTrigger>
      <TooltipContent className="max-w-64">
        No OPENAI_API_KEY is set, so replies are simulated locally. Every request still goes through the full guard pipeline.
      </TooltipContent>
    </Tooltip>
  );
}
