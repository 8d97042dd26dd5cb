// Regenerates tests/fakes/openai-request-schemas.json: the request schemas the fake OpenAI
// validates against, cut out of OpenAI's published OpenAPI spec (github.com/openai/openai-openapi).
//   npx tsx tests/fakes/extract-openai-request-schemas.mts <path to openapi.json> <commit>
// Kept: each request schema and every schema it references, with only the keywords that
// validate (descriptions, examples and x- extensions dropped; `discriminator` too: it is a
// hint for code generators, the oneOf it annotates still decides). OpenAPI 3.0's `nullable`
// without a `type` becomes an anyOf with null. `oneOf` becomes `anyOf`: the document uses it
// for unions whose branches overlap (a Responses input message fits both EasyInputMessage and
// InputMessage), which the API accepts; JSON Schema's "exactly one" would refuse them.
import { readFileSync, writeFileSync } from "node:fs";

const [specPath, commit] = process.argv.slice(2);
if (!specPath || !commit) throw new Error("usage: extract-openai-request-schemas.mts <openapi.json> <commit>");
const schemas = JSON.parse(readFileSync(specPath, "utf8")).components.schemas as Record<string, unknown>;
const ROOTS = ["CreateChatCompletionRequest", "CreateModerationRequest", "CreateEmbeddingRequest", "CreateResponse"];
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

const wanted = new Set<string>();
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
  // OpenAPI 3.0's `nullable` beside a type is understood by ajv; without one, ajv refuses it:
  // say "or null" in JSON Schema's own words.
  if ("nullable" in out && !("type" in out)) {
    const { nullable, ...rest } = out;
    return nullable ? { anyOf: [rest, { type: "null" }] } : rest;
  }
  return out;
}

const queue = [...ROOTS];
ROOTS.forEach((name) => wanted.add(name));
const defs: Record<string, unknown> = {};
while (queue.length) {
  const name = queue.shift()!;
  defs[name] = clean(schemas[name]);
}
const sorted = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  new URL("./openai-request-schemas.json", import.meta.url),
  `${JSON.stringify(
    {
      $comment: `Extracted by tests/fakes/extract-openai-request-schemas.mts from openapi.json of github.com/openai/openai-openapi at commit ${commit}: ${ROOTS.join(", ")} and what they reference.`,
      $defs: sorted,
    },
    null,
    1,
  )}\n`,
);
console.log(`${Object.keys(sorted).length} schemas written`);
