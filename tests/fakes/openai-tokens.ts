// Token counts for the fake OpenAI, written apart from the product's (lib/ai/tokens.ts uses
// gpt-tokenizer and its own formula) so a test can catch the product under-reserving: the
// encodings come from js-tiktoken, a separate port of OpenAI's tiktoken, with its rank files
// imported from the package (no download), and the chat format's overhead is the one OpenAI
// documents in the cookbook "How to count tokens with tiktoken" (num_tokens_from_messages:
// 3 tokens per message, every value of the message encoded, 1 more for a name, 3 priming the
// reply; 124 prompt tokens for its example on gpt-4o, as the API reported).
import { Tiktoken } from "js-tiktoken/lite";
import cl100k_base from "js-tiktoken/ranks/cl100k_base";
import o200k_base from "js-tiktoken/ranks/o200k_base";

const o200k = new Tiktoken(o200k_base);
// Both are built when the module loads (seconds on a busy machine): built inside a request,
// they would make the first call outlast the product's upstream timeout.
const cl100k = new Tiktoken(cl100k_base);

// Special-token text in user input ("<|endoftext|>") is plain text to the API: nothing is
// allowed as special, nothing refused.
const encode = (encoding: Tiktoken, text: string) => encoding.encode(text, [], []);

// js-tiktoken merges a piece (one match of the encoding's split pattern) by rescanning and
// re-joining every pair after each merge: 4 s for 1,800 CJK characters, which form one piece,
// longer than the upstream timeout the tests give the product. Long pieces are merged here
// instead, by the same rule (the lowest-ranked adjacent pair first, the leftmost on a tie) over
// js-tiktoken's own ranks and pattern, with a heap instead of rescans; a test checks the two agree.
const LONG_PIECE_BYTES = 64;
type Internals = { rankMap: Map<string, number> };
const bytes = new TextEncoder();

/** A min-heap of candidate merges [rank, left start, right start, right end], leftmost first on a tie. */
type Candidate = [number, number, number, number];
const before = (a: Candidate, b: Candidate) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
function push(heap: Candidate[], item: Candidate) {
  heap.push(item);
  for (let i = heap.length - 1; i > 0;) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}
function pop(heap: Candidate[]): Candidate | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    for (let i = 0; ;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let least = i;
      if (l < heap.length && before(heap[l]!, heap[least]!)) least = l;
      if (r < heap.length && before(heap[r]!, heap[least]!)) least = r;
      if (least === i) break;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
  return top;
}

/** How many tokens a piece merges into: parts are a linked list of starts, stale candidates skipped. */
function mergedCount(piece: Uint8Array, ranks: Map<string, number>): number {
  const n = piece.length;
  const next = Array.from({ length: n }, (_, i) => i + 1); // the start of the part after part i (n: none)
  const prev = Array.from({ length: n }, (_, i) => i - 1);
  const alive = new Array<boolean>(n).fill(true);
  const heap: Candidate[] = [];
  const consider = (left: number) => {
    const right = next[left]!;
    if (left < 0 || right >= n) return;
    const rank = ranks.get(piece.subarray(left, next[right]).join(","));
    if (rank !== undefined) push(heap, [rank, left, right, next[right]!]);
  };
  for (let i = 0; i < n - 1; i++) consider(i);
  let parts = n;
  for (let candidate = pop(heap); candidate; candidate = pop(heap)) {
    const [, left, right, end] = candidate;
    if (!alive[left] || !alive[right] || next[left] !== right || next[right] !== end) continue; // stale
    alive[right] = false;
    next[left] = end;
    if (end < n) prev[end] = left;
    parts--;
    consider(left);
    if (prev[left]! >= 0) consider(prev[left]!);
  }
  return parts;
}

function countTokens(encoding: Tiktoken, pattern: string, text: string): number {
  const { rankMap } = encoding as unknown as Internals;
  let total = 0;
  for (const [match] of text.matchAll(new RegExp(pattern, "gu"))) {
    const piece = bytes.encode(match);
    total += piece.length <= LONG_PIECE_BYTES ? encode(encoding, match).length : mergedCount(piece, rankMap);
  }
  return total;
}

// A conversation's history comes back with every turn: a long message is counted once.
const counted = new Map<string, number>();

/** Tokens of a text in o200k_base, the encoding of every chat model the fake serves. */
export function chatTokens(text: string): number {
  if (text.length < 256) return countTokens(o200k, o200k_base.pat_str, text);
  let count = counted.get(text);
  if (count === undefined) {
    if (counted.size >= 1_000) counted.clear();
    counted.set(text, (count = countTokens(o200k, o200k_base.pat_str, text)));
  }
  return count;
}

/** js-tiktoken's own count, for the test that checks the long-piece merge against it. */
export const chatTokensByJsTiktoken = (text: string) => encode(o200k, text).length;

/** The first `max` tokens of a text (what a model cut at max_completion_tokens emits). */
export const firstChatTokens = (text: string, max: number) => o200k.decode(encode(o200k, text).slice(0, max));

/** Tokens of an embedding input: the text-embedding models use cl100k_base. */
export const embeddingTokens = (text: string) => countTokens(cl100k, cl100k_base.pat_str, text);

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;

/** A message's values as the prompt carries them: text, or the text of its text and refusal parts. */
function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((part: { type?: string; text?: string; refusal?: string }) => {
        if (part.type === "text") return part.text ?? "";
        if (part.type === "refusal") return part.refusal ?? "";
        throw new Error(`The fake OpenAI does not bill content parts of type ${part.type}`);
      })
      .join("");
  }
  if (value === null || value === undefined) return "";
  throw new Error(`The fake OpenAI does not bill message values like ${JSON.stringify(value).slice(0, 80)}`);
}

/**
 * Prompt tokens as the API bills a chat request (cookbook formula). A structured output's
 * schema is billed too, but OpenAI does not document how: the fake bills the whole
 * `json_schema` object it was sent (name, schema, strict) as the text of one more system
 * message, a stricter stand-in than the schema alone.
 */
export function chatPromptTokens(body: {
  messages: Array<Record<string, unknown>>;
  response_format?: { type: string; json_schema?: unknown };
}): number {
  let total = REPLY_PRIMING;
  for (const message of body.messages) {
    total += TOKENS_PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      total += chatTokens(valueText(value));
      if (key === "name") total += TOKENS_PER_NAME;
    }
  }
  if (body.response_format?.type === "json_schema") {
    total += TOKENS_PER_MESSAGE + chatTokens("system") + chatTokens(JSON.stringify(body.response_format.json_schema));
  }
  return total;
}

/** Tokens in cl100k_base: the fake Anthropic's stand-in count (Anthropic publishes no tokenizer). */
export const cl100kTokens = embeddingTokens;

/** The first `max` cl100k_base tokens of a text. */
export const firstCl100kTokens = (text: string, max: number) => cl100k.decode(encode(cl100k, text).slice(0, max));
