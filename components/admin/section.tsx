import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { cn } from "@/lib/utils";

type SectionProps = {
  id: string;
  title: React.ReactNode;
  description?: React.ReactNode;
  action?: React.ReactNode;
  children: React.ReactNode;
} & Omit<React.ComponentProps<"div">, "title" | "id">;

/** A console card: a region named by a real h2 (the page's outline), a line on what it shows, its content. */
export function Section({ id, title, description, action, children, className, ...props }: SectionProps) {
  return (
    <Card role="region" aria-labelledby={`${id}-heading`} className={cn("min-w-0 gap-4", className)} {...props}>
      <CardHeader>
        <CardTitle>
          <h2 id={`${id}-heading`} className="text-base">
            {title}
          </h2>
        </CardTitle>
        {description && <CardDescription>{description}</CardDescription>}
        {action && <CardAction>{action}</CardAction>}
      </CardHeader>
      <CardContent className="grid min-w-0 gap-4">{children}</CardContent>
    </Card>
  );
}
