"use client";

import { NativeSelect } from "@/components/ui/native-select";
import type { OfferedModel } from "@/lib/ai/offered";
import type { Provider } from "@/lib/ai/catalogue";

const PROVIDER_NAMES: Record<Provider, string> = {
  openai: "OpenAI",
  anthropic: "Anthropic",
  google: "Google",
  "openai-compatible": "OpenAI-compatible",
};

const PRICE_CLASS_WORDS = { $: "low cost", $$: "medium cost", $$$: "high cost" } as const;

/**
 * The chat's model picker: the plan's models (lib/ai/offered.ts) with name, provider and price
 * class. The browser's own select, so keyboard, screen readers and phones work as everywhere;
 * the server checks the choice against the plan again, whatever arrives.
 */
export function ModelPicker({
  models,
  value,
  onChange,
  disabled,
}: {
  models: readonly OfferedModel[];
  value: string;
  onChange: (model: string) => void;
  disabled?: boolean;
}) {
  if (models.length === 0) return null;
  return (
    <label className="flex min-w-0 items-center gap-1.5">
      <span className="sr-only">Model</span>
      <NativeSelect
        name="model"
        data-testid="model-picker"
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        className="h-7 max-w-[16rem] rounded-full border-transparent bg-muted/60 py-0 pr-7 pl-2.5 text-xs md:text-xs dark:bg-muted/40"
      >
        {models.map((model) => (
          <option
            key={model.id}
            value={model.id}
            aria-label={`${model.displayName}, ${PROVIDER_NAMES[model.provider]}, ${PRICE_CLASS_WORDS[model.priceClass]}`}
          >
            {model.displayName} · {PROVIDER_NAMES[model.provider]} · {model.priceClass}
          </option>
        ))}
      </NativeSelect>
    </label>
  );
}
