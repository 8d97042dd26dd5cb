// Regenerates tests/fakes/openai-request-schemas.json: the request schemas the fake OpenAI
// validates against, cut out of OpenAI's published OpenAPI spec (github.com/openai/openai-openapi)
// by openapi-schemas.mts.
//   npx tsx tests/fakes/extract-openai-request-schemas.mts <path to openapi.json> <commit>
import { readFileSync, writeFileSync } from "node:fs";
import { extractSchemas } from "./openapi-schemas";

const [specPath, commit] = process.argv.slice(2);
if (!specPath || !commit) throw new Error("usage: extract-openai-request-schemas.mts <openapi.json> <commit>");
const schemas = JSON.parse(readFileSync(specPath, "utf8")).components.schemas as Record<string, unknown>;
const ROOTS = ["CreateChatCompletionRequest", "CreateModerationRequest", "CreateEmbeddingRequest", "CreateResponse"];
const defs = extractSchemas(schemas, ROOTS);
writeFileSync(
  new URL("./openai-request-schemas.json", import.meta.url),
  `${JSON.stringify(
    {
      $comment: `Extracted by tests/fakes/extract-openai-request-schemas.mts from openapi.json of github.com/openai/openai-openapi at commit ${commit}: ${ROOTS.join(", ")} and what they reference.`,
      $defs: defs,
    },
    null,
    1,
  )}\n`,
);
console.log(`${Object.keys(defs).length} schemas written`);
