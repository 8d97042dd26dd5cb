import { describe, expect, it } from "vitest";

// What the picker lists and the guard accepts (lib/ai/offered.ts): env is read when the module
// loads, so the keys are set first. OpenAI is on, Anthropic and Google are off.
Object.assign(process.env, { OPENAI_API_KEY: "test-key" });
delete process.env.ANTHROPIC_API_KEY;
delete process.env.GEMINI_API_KEY;
const { modelsOffered, isModelOffered, defaultModelFor, priceClassOf } = await import("@/lib/ai/offered");
const { MODEL_CATALOGUE } = await import("@/lib/ai/catalogue");
const { PLANS } = await import("@/lib/plans");

describe("models a plan offers", () => {
  it("lists the plan's models in its order, with name, provider and price class", () => {
    expect(modelsOffered(PLANS.pro)).toEqual([
      { id: "gpt-4.1-nano", displayName: "GPT-4.1 nano", provider: "openai", priceClass: "$" },
      { id: "gpt-4.1-mini", displayName: "GPT-4.1 mini", provider: "openai", priceClass: "$$" },
    ]);
    expect(defaultModelFor(PLANS.pro)).toBe("gpt-4.1-mini");
    expect(modelsOffered(PLANS.free).map((model) => model.id)).toEqual(["gpt-4.1-nano"]);
  });

  it("leaves out a model whose provider has no key, and another plan's model", () => {
    const plan = { ...PLANS.pro, models: ["gpt-4.1-nano", "claude-haiku-4-5", "gemini-2.5-pro"] };
    expect(modelsOffered(plan).map((model) => model.id)).toEqual(["gpt-4.1-nano"]);
    expect(isModelOffered(plan, "claude-haiku-4-5")).toBe(false);
    expect(isModelOffered(PLANS.free, "gpt-4.1-mini")).toBe(false);
    expect(isModelOffered(PLANS.free, "gpt-4.1-nano")).toBe(true);
    expect(isModelOffered(PLANS.free, "no-such-model")).toBe(false);
  });

  it("classes prices by the 3:1 blended price per million tokens", () => {
    const classOf = (id: string) => priceClassOf(MODEL_CATALOGUE[id]!);
    expect(["gpt-4.1-nano", "gpt-4.1-mini", "claude-haiku-4-5", "claude-sonnet-4-5", "gemini-2.5-pro"].map(classOf)).toEqual([
      "$",
      "$$",
      "$$",
      "$$$",
      "$$$",
    ]);
  });
});
