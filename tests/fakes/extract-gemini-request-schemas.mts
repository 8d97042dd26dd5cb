// Regenerates tests/fakes/gemini-request-schemas.json: the request schema the fake Gemini
// validates against, cut by openapi-schemas.mts out of Google's published description of the
// Generative Language API v1beta: the discovery service's OpenAPI 3.0 rendering
// (https://generativelanguage.googleapis.com/$discovery/OPENAPI3_0?version=v1beta), as kept in
// github.com/atacan/GoogleGenerativeLanguage (assets/original.json; this machine has no
// internet). The document's messages are protobuf messages, which the API closes ("Invalid JSON
// payload received. Unknown name ..."): every object is closed here. `model` is dropped from
// GenerateContentRequest's required fields: over REST it is the URL's {model}.
// Checked against the newer v1beta protos (google/ai/generativelanguage/v1beta in
// github.com/googleapis/googleapis at f8291d2b89f0017ab078a4c7378069bae5686f6f, 2026-08-22):
// GenerateContentRequest, Content and ThinkingConfig have the same fields; the protos add
// GenerationConfig.imageConfig, GenerationConfig.responseJsonSchemaOrdered and Part.partMetadata,
// which this schema (and so the fake) still refuses as unknown.
//   npx tsx tests/fakes/extract-gemini-request-schemas.mts <path to original.json> <commit>
import { readFileSync, writeFileSync } from "node:fs";
import { extractSchemas } from "./openapi-schemas";

const [specPath, commit] = process.argv.slice(2);
if (!specPath || !commit) throw new Error("usage: extract-gemini-request-schemas.mts <original.json> <commit>");
const schemas = JSON.parse(readFileSync(specPath, "utf8")).components.schemas as Record<string, { required?: string[] }>;
const ROOTS = ["GenerateContentRequest"];
const defs = extractSchemas(schemas, ROOTS, { closeObjects: true }) as Record<string, { required?: string[] }>;
defs.GenerateContentRequest!.required = defs.GenerateContentRequest!.required?.filter((field) => field !== "model");
writeFileSync(
  new URL("./gemini-request-schemas.json", import.meta.url),
  `${JSON.stringify(
    {
      $comment: `Extracted by tests/fakes/extract-gemini-request-schemas.mts from Google's OpenAPI 3.0 rendering of the generativelanguage v1beta discovery document, assets/original.json of github.com/atacan/GoogleGenerativeLanguage at commit ${commit}: ${ROOTS.join(", ")} and what it references.`,
      $defs: defs,
    },
    null,
    1,
  )}\n`,
);
console.log(`${Object.keys(defs).length} schemas written`);
