import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage } from "./types";

// Input tokens counted the way the provider bills them, so the reservation is a true upper
// bound. Every OpenAI model in the catalogue (gpt-4.1, 4o, 5 and o-series families) uses the
// o200k_base encoding; a model on another encoding must not be served without changing this.
// A bytes/3 estimate under-counts digits separated by spaces, base64, hex and private-use
// characters by up to 3x; a real tokenizer does not.

/** Special-token text in user input ("<|endoftext|>") is plain text to the API, not a control token. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** The chat format's framing per message (<|im_start|>, separator, <|im_end|>), besides the role. */
export const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with <|im_start|>assistant<|im_sep|>. */
export const REPLY_PRIMING_TOKENS = 3;

export function countTextTokens(text: string): number {
  return text === "" ? 0 : countTokens(text, PLAIN_TEXT);
}

/** A message's stored count when it has one (saved messages keep theirs), counted otherwise. */
export type CountedMessage = ChatMessage & { tokens?: number | null };

/**
 * What a structured output adds besides its schema's text. OpenAI does not document how the
 * schema is put into the prompt; reserve as if the whole `json_schema` object came as one more
 * message: its framing and role, the JSON around the schema (name, strict) and a name at the
 * API's limit of 64 characters from [a-zA-Z0-9_-] (one token each at most).
 */
export const RESPONSE_FORMAT_OVERHEAD_TOKENS = TOKENS_PER_MESSAGE + 1 + countTextTokens('{"name":"","schema":,"strict":false}') + 64;

/**
 * The prompt tokens of a chat request: each message's role and content plus the format's
 * overhead, plus a structured output's JSON schema (`schemaText`) and what comes around it.
 */
export function countPromptTokens(messages: readonly CountedMessage[], schemaText = ""): number {
  let total = REPLY_PRIMING_TOKENS + (schemaText === "" ? 0 : countTextTokens(schemaText) + RESPONSE_FORMAT_OVERHEAD_TOKENS);
  for (const message of messages) {
    total += TOKENS_PER_MESSAGE + countTextTokens(message.role) + (message.tokens ?? countTextTokens(message.content));
  }
  return total;
}

/**
 * Tokens of an embedding input as the embeddings endpoint bills them: text-embedding-3 models
 * use cl100k_base, not the chat models' o200k_base. Loaded only when the semantic cache runs.
 */
export async function countEmbeddingTokens(text: string): Promise<number> {
  const { countTokens: countCl100k } = await import("gpt-tokenizer/encoding/cl100k_base");
  return text === "" ? 0 : countCl100k(text, PLAIN_TEXT);
}

/**
 * Framing a provider without a published tokenizer may add per message (role markers,
 * separators) and per request (the reply's priming, the system prompt's wrapper). Not published
 * either: set well above the chat formats that are (OpenAI's 3 per message and 3 per request).
 */
export const UNKNOWN_TOKENIZER_TOKENS_PER_MESSAGE = 16;
export const UNKNOWN_TOKENIZER_TOKENS_PER_REQUEST = 64;

const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * An upper bound on the prompt tokens of a provider that publishes no tokenizer (Anthropic,
 * Gemini, an OpenAI-compatible server), without knowing its tokenizer.
 *
 * Proof sketch for the content: byte-level BPE (Anthropic's and OpenAI's families) starts from
 * one token per UTF-8 byte and every merge joins two tokens into one, so a text never has more
 * tokens than bytes. SentencePiece (Gemini) falls back to one token per UTF-8 byte for a
 * character outside its vocabulary and otherwise emits whole pieces of one character or more,
 * each at least one byte: again at most one token per byte. So `bytes(content)` bounds the
 * content of every message; the framing is bounded by the constants above (an assumption,
 * documented, since the providers do not publish it). Stored per-message counts are o200k
 * counts and are not used here.
 */
export function promptTokensUpperBound(messages: readonly ChatMessage[], schemaText = ""): number {
  let total = UNKNOWN_TOKENIZER_TOKENS_PER_REQUEST + utf8Bytes(schemaText);
  for (const message of messages) total += UNKNOWN_TOKENIZER_TOKENS_PER_MESSAGE + utf8Bytes(message.role) + utf8Bytes(message.content);
  return total;
}

/**
 * The prompt tokens the reservation counts for this model: the o200k count for OpenAI's models
 * (their published encoding), the byte bound for every other provider.
 */
export function reservedPromptTokens(provider: string, messages: readonly CountedMessage[], schemaText = ""): number {
  return provider === "openai" ? countPromptTokens(messages, schemaText) : promptTokensUpperBound(messages, schemaText);
}
