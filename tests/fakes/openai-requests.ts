// Request bodies checked against OpenAI's published OpenAPI schema (the request schemas cut
// out of github.com/openai/openai-openapi into openai-request-schemas.json; its $comment says
// which commit), answered with the API's 400 when they do not fit. Unknown top-level fields
// are refused as the API refuses them ("Unrecognized request argument supplied"). The known
// models are the ones the spec lists for each endpoint; any other gets the API's 404.
import type { ServerResponse } from "node:http";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import spec from "./openai-request-schemas.json" with { type: "json" };
import { json } from "./provider-fake";

export type OpenAIError = { status: number; error: { message: string; type: string; param: string | null; code: string | null } };

type Schema = { type?: string; properties?: Record<string, Schema>; allOf?: Schema[]; anyOf?: Schema[]; enum?: string[]; $ref?: string };
const defs = spec.$defs as Record<string, Schema>;
const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(defs[schema.$ref.replace("#/$defs/", "")]!) : schema);

/** The top-level field names a request schema defines, through its allOf. */
function topLevelFields(schema: Schema): Set<string> {
  const resolved = resolve(schema);
  return new Set([...Object.keys(resolved.properties ?? {}), ...(resolved.allOf ?? []).flatMap((part) => [...topLevelFields(part)])]);
}

/** The model ids the spec enumerates for a request's `model` (an anyOf of "any string" and lists, some behind a $ref). */
function listedModels(schema: Schema): Set<string> {
  const resolved = resolve(schema);
  const model = resolved.properties?.model ?? resolved.allOf?.map((part) => resolve(part).properties?.model).find(Boolean);
  const enums = (option: Schema): string[] => [...(resolve(option).enum ?? []), ...(resolve(option).anyOf ?? []).flatMap(enums)];
  return new Set(enums(model!));
}

// Formats (one "uri" in moderation image inputs) are not checked: nothing sent here has one.
// strictRequired is off: the spec's LocalShellToolCallOutput requires a `call_id` it does not
// define (a flaw of the document; the requirement is still enforced).
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, validateFormats: false });
ajv.addSchema(spec, "openai");

const ENDPOINTS = {
  "/v1/chat/completions": "CreateChatCompletionRequest",
  "/v1/moderations": "CreateModerationRequest",
  "/v1/embeddings": "CreateEmbeddingRequest",
  "/v1/responses": "CreateResponse",
} as const;
export type Endpoint = keyof typeof ENDPOINTS;

const checks = Object.fromEntries(
  Object.entries(ENDPOINTS).map(([path, name]) => {
    const schema = defs[name]!;
    return [path, { validate: ajv.getSchema(`openai#/$defs/${name}`)!, fields: topLevelFields(schema), models: listedModels(schema) }];
  }),
) as Record<Endpoint, { validate: ReturnType<Ajv2020["compile"]>; fields: Set<string>; models: Set<string> }>;

const invalid = (message: string, param: string | null, code: string | null): OpenAIError => ({
  status: 400,
  error: { message, type: "invalid_request_error", param, code },
});

/** "/messages/0/content" → "messages[0].content", the API's way of naming a parameter. */
const paramOf = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part), "");

/** Every value a one-value enum of the spec gives a property ("role": user, system…): what picks a union's branch. */
const branchValues = new Map<string, Set<unknown>>();
(function collect(value: unknown) {
  if (Array.isArray(value)) return value.forEach(collect);
  if (!value || typeof value !== "object") return;
  for (const [name, property] of Object.entries((value as Schema).properties ?? {})) {
    const values = resolve(property).enum;
    if (values?.length === 1) branchValues.set(name, (branchValues.get(name) ?? new Set()).add(values[0]));
  }
  Object.values(value).forEach(collect);
})(defs);

const valueAt = (body: unknown, pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], body);

/**
 * The API's answer to the one thing most likely wrong. A union (anyOf) reports every branch it tried:
 * a user message with a bad content also fails the system, assistant… branches on their role;
 * such a miss (a value that picks another branch) says nothing and is dropped. Of the rest, the
 * deepest error wins, a missing field before a wrong type one level down, a broken limit
 * (minItems, maximum…) before "not this type".
 */
function describe(body: unknown, all: ErrorObject[]): OpenAIError {
  const branchMiss = (error: ErrorObject) =>
    error.keyword === "enum" && (branchValues.get(error.instancePath.split("/").at(-1)!)?.has(valueAt(body, error.instancePath)) ?? false);
  const errors = all.some((error) => !branchMiss(error)) ? all.filter((error) => !branchMiss(error)) : all;
  const rank = (error: ErrorObject) =>
    error.instancePath.split("/").length * 10 +
    (error.keyword === "required" ? 5 : 0) +
    (["type", "oneOf", "anyOf"].includes(error.keyword) ? 0 : 1);
  const deepest = errors.reduce((best, error) => (rank(error) > rank(best) ? error : best));
  const param = paramOf(deepest.instancePath);
  if (deepest.keyword === "required") {
    const missing = `${param ? `${param}.` : ""}${(deepest.params as { missingProperty: string }).missingProperty}`;
    return invalid(`Missing required parameter: '${missing}'.`, missing, "missing_required_parameter");
  }
  if (deepest.keyword === "type") {
    const expected = errors.filter((error) => error.instancePath === deepest.instancePath && error.keyword === "type");
    return invalid(
      `Invalid type for '${param}': expected ${[...new Set(expected.map((error) => (error.params as { type: string }).type))].join(" or ")}.`,
      param,
      "invalid_type",
    );
  }
  if (deepest.keyword === "enum") {
    const allowed = errors
      .filter((error) => error.instancePath === deepest.instancePath && error.keyword === "enum")
      .flatMap((error) => (error.params as { allowedValues: unknown[] }).allowedValues);
    return invalid(
      `Invalid value for '${param}'. Supported values are: ${[...new Set(allowed)].map((value) => `'${String(value)}'`).join(", ")}.`,
      param,
      "invalid_value",
    );
  }
  return invalid(
    `Invalid value for '${param || "body"}': ${deepest.message ?? "does not fit the schema"}.`,
    param || null,
    "invalid_value",
  );
}

/** Null when the body is a valid request the fake can serve, else the API's error. */
export function checkRequest(endpoint: Endpoint, body: unknown): OpenAIError | null {
  const check = checks[endpoint];
  if (!body || typeof body !== "object" || Array.isArray(body)) return invalid("The request body must be a JSON object.", null, null);
  const unknown = Object.keys(body).find((field) => !check.fields.has(field));
  if (unknown !== undefined) return invalid(`Unrecognized request argument supplied: ${unknown}`, null, null);
  if (!check.validate(body)) return describe(body, check.validate.errors ?? []);
  const model = (body as { model?: unknown }).model;
  if (typeof model === "string" && !check.models.has(model)) {
    return {
      status: 404,
      error: {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: "invalid_request_error",
        param: null,
        code: "model_not_found",
      },
    };
  }
  return null;
}

/** The API's answer to a marker fault that refuses the call (429s, 500); false when the fault is not one of them. */
export function answerFault(res: ServerResponse, fault: string | undefined, model: string): boolean {
  if (fault === "429" || fault === "429-bare") {
    const retry = fault === "429";
    json(
      res,
      429,
      {
        error: {
          message: `Rate limit reached for ${model} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1.${retry ? " Please try again in 7s." : ""}`,
          type: "requests",
          param: null,
          code: "rate_limit_exceeded",
        },
      },
      retry ? { "retry-after": "7" } : {},
    );
    return true;
  }
  if (fault === "insufficient_quota") {
    json(res, 429, {
      error: {
        message:
          "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type: "insufficient_quota",
        param: null,
        code: "insufficient_quota",
      },
    });
    return true;
  }
  if (fault === "500") {
    json(res, 500, { error: { message: "The server had an error", type: "server_error" } });
    return true;
  }
  return false;
}
