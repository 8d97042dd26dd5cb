// Cuts request schemas out of an OpenAPI 3.0 document for the fakes to validate against with
// ajv: each root schema and every schema it references, with only the keywords that validate
// (descriptions, examples and x- extensions dropped; `discriminator` too: it is a hint for
// code generators, the union it annotates still decides). OpenAPI 3.0's `nullable` without a
// `type` becomes an anyOf with null. `oneOf` becomes `anyOf`: OpenAI's document uses it for
// unions whose branches overlap (a Responses input message fits both EasyInputMessage and
// InputMessage), which the API accepts; JSON Schema's "exactly one" would refuse them.
// Used by extract-openai-request-schemas.mts and extract-gemini-request-schemas.mts.
const KEYWORDS = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "allOf",
  "anyOf",
  "oneOf",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "nullable",
  "$ref",
]);

/**
 * The roots and what they reference, as JSON Schema `$defs`, sorted by name. `closeObjects`
 * adds `additionalProperties: false` to every object that lists its properties (for an API
 * that refuses unknown fields but whose document does not say so).
 */
export function extractSchemas(
  schemas: Record<string, unknown>,
  roots: string[],
  options: { closeObjects?: boolean } = {},
): Record<string, unknown> {
  const wanted = new Set(roots);
  const queue = [...roots];
  function clean(value: unknown, insideProperties = false): unknown {
    if (Array.isArray(value)) return value.map((item) => clean(item));
    if (!value || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (insideProperties) out[key] = clean(inner);
      else if (key === "$ref") {
        const name = String(inner).replace("#/components/schemas/", "");
        if (!wanted.has(name)) {
          wanted.add(name);
          queue.push(name);
        }
        out.$ref = `#/$defs/${name}`;
      } else if (KEYWORDS.has(key)) out[key === "oneOf" ? "anyOf" : key] = clean(inner, key === "properties");
    }
    if (options.closeObjects && out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
    // OpenAPI 3.0's `nullable` beside a type is understood by ajv; without one, ajv refuses it:
    // say "or null" in JSON Schema's own words.
    if ("nullable" in out && !("type" in out)) {
      const { nullable, ...rest } = out;
      return nullable ? { anyOf: [rest, { type: "null" }] } : rest;
    }
    return out;
  }
  const defs: Record<string, unknown> = {};
  while (queue.length) {
    const name = queue.shift()!;
    defs[name] = clean(schemas[name]);
  }
  return Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b)));
}
