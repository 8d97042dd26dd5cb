import { describe, expect, it } from "vitest";
import { demoEmbedding } from "@/lib/ai/demo-embedding";
import { lexicalKey, lexicalSignature } from "@/lib/semantic/lexical";

// The semantic cache's lexical check and the demo embedder, rule by rule.

const same = (a: string, b: string) => lexicalKey(a) === lexicalKey(b);

describe("lexical signature", () => {
  it("reads numbers with their currency, percent and unit; spelled-out numbers are numbers", () => {
    expect(lexicalSignature("Pay $1,200 for 5 km, up 12% in Q3.").marks).toEqual(["n:usd:1200", "n:5 km", "n:12 pct", "n:q3"]);
    expect(lexicalSignature("It weighs 3kg, three kilograms.").marks).toEqual(["n:3 kg", "n:3 kg"]);
    expect(lexicalSignature("It fell to -5 °C.").marks).toEqual(["n:-5 c"]);
  });

  it("tells apart what changes the answer", () => {
    expect(same("Refund order 1042.", "Refund order 1043.")).toBe(false);
    expect(same("Drive 5 miles.", "Drive 5 km.")).toBe(false);
    expect(same("The fee is waived.", "The fee is not waived.")).toBe(false);
    expect(same("The fee isn't waived.", "The fee is waived.")).toBe(false);
    expect(same("Call Anna today.", "Call Maria today.")).toBe(false);
    expect(same('Use the code "SPRING20".', 'Use the code "SPRING10".')).toBe(false);
    expect(same("Acme bought Globex.", "Globex bought Acme.")).toBe(false);
    expect(same("It is not cheap and not fast.", "It is not cheap and fast.")).toBe(false);
  });

  it("lets through what does not", () => {
    expect(same("The fee isn't waived.", "The fee is not waived.")).toBe(true);
    expect(same("Summarize: Acme's revenue rose 12%.", "Please summarize Acme revenue, which rose 12 percent!")).toBe(true);
    expect(same("Drive 5 kilometres north.", "Drive north 5 km.")).toBe(true);
    // Order counts among names and among numbers, not between a name and a number.
    expect(same("In March the team closed 340 tickets.", "The team closed 340 tickets in March.")).toBe(true);
    expect(same("The council voted 7 to 2.", "The council voted 2 to 7.")).toBe(false);
    // A sentence's first word is a name unless it is a common word.
    expect(lexicalSignature("Paris is lovely. The city is big.").marks).toEqual(["e:paris"]);
    expect(lexicalSignature("Tickets cost €25. Buy tickets online.").marks).toEqual(["n:eur:25"]);
  });
});

describe("demo embedding", () => {
  it("is deterministic, unit length, and word order counts", () => {
    const a = demoEmbedding("Acme bought Globex last year", 256);
    expect(demoEmbedding("Acme bought Globex last year", 256)).toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
    const cos = (x: number[], y: number[]) => x.reduce((sum, value, i) => sum + value * y[i]!, 0);
    expect(cos(a, demoEmbedding("Globex bought Acme last year", 256))).toBeLessThan(0.95);
    expect(cos(a, demoEmbedding("acme bought globex last year!", 256))).toBeCloseTo(1, 10);
  });
});
