import { InboxIcon } from "lucide-react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { spendByProviderModel } from "@/db/queries/console";
import { EmptyState } from "./empty-state";
import { count } from "./format";
import { Money } from "./money";
import { Section } from "./section";

const PROVIDER_NAMES: Record<string, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google",
  "openai-compatible": "OpenAI-compatible",
  unknown: "Not in the catalogue",
};

const NUM = "text-right tabular-nums";

/**
 * The overview's spend by provider, then model: reads its own figures (one statement on the audit
 * log's daily rollup, db/queries/console.ts), so the page only places it. Admin pages only.
 */
export async function ProviderModelSpend({ days = 30 }: { days?: number }) {
  const rows = await spendByProviderModel(days);
  return (
    <Section id="provider-models" title="Spend by provider and model" description={`Every AI request over the last ${days} days.`}>
      {rows.length === 0 ? (
        <EmptyState icon={InboxIcon} title="No model has been asked yet">
          Each provider&apos;s and model&apos;s requests, tokens and cost appear here after the first request.
        </EmptyState>
      ) : (
        <Table pinFirstColumn scrollLabel="Spend by provider and model">
          <TableHeader>
            <TableRow>
              <TableHead scope="col">Provider / model</TableHead>
              <TableHead scope="col" className="text-right">
                Requests
              </TableHead>
              <TableHead scope="col" className="text-right">
                Tokens
              </TableHead>
              <TableHead scope="col" className="text-right">
                Cost
              </TableHead>
            </TableRow>
          </TableHeader>
          {rows.map((provider) => (
            <TableBody key={provider.provider} data-testid={`provider-${provider.provider}`}>
              <TableRow className="bg-muted/40 font-medium">
                <TableCell>{PROVIDER_NAMES[provider.provider] ?? provider.provider}</TableCell>
                <TableCell className={NUM}>{count(provider.requests)}</TableCell>
                <TableCell className={NUM}>{count(provider.tokens)}</TableCell>
                <TableCell className={NUM}>
                  <Money micros={provider.costMicros} />
                </TableCell>
              </TableRow>
              {provider.models.map((model) => (
                <TableRow key={model.model}>
                  <TableCell className="pl-6">
                    <span className="font-mono text-xs">{model.model}</span>
                  </TableCell>
                  <TableCell className={NUM}>{count(model.requests)}</TableCell>
                  <TableCell className={NUM}>{count(model.tokens)}</TableCell>
                  <TableCell className={NUM}>
                    <Money micros={model.costMicros} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          ))}
        </Table>
      )}
    </Section>
  );
}
