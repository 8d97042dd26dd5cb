// The demo model's replies (development without OPENAI_API_KEY): each shows something the chat
// renders — headings, lists, a table, code in several languages — so a founder trying the
// starter sees what real replies will look like. Picked by the question's words, or in turn.

type DemoReply = { matches: RegExp; text: (question: string) => string };

const fence = "```";

export const DEMO_REPLIES: DemoReply[] = [
  {
    matches: /\b(compare|table|versus|vs\.?|python|go|rust)\b/i,
    text: () => `## Python, Go and Rust for a web API

Each is a good choice; they trade speed of writing for speed of running differently.

| | Python | Go | Rust |
| --- | --- | --- | --- |
| Learning curve | Gentle | Gentle | Steep |
| Typical framework | FastAPI | net/http, chi | axum |
| Throughput | Good | Very good | Excellent |
| Memory safety | Runtime | Garbage collected | Compile time |

### A minimal endpoint in each

${fence}python
from fastapi import FastAPI

app = FastAPI()

@app.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}
${fence}

${fence}go
func health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]bool{"ok": true})
}
${fence}

${fence}rust
async fn health() -> Json<Value> {
    Json(json!({ "ok": true }))
}
${fence}

**Pick Python** to ship fastest, **Go** for simple and fast services, **Rust** when every millisecond and byte counts.`,
  },
  {
    matches: /\b(typescript|javascript|fetch|retry|function|code)\b/i,
    text: () => `Here is a small, typed helper that retries a \`fetch\` with exponential backoff:

${fence}ts
export async function fetchWithRetry(url: string, init: RequestInit = {}, attempts = 3): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, init);
      // Retry only what may succeed later: rate limits and server errors.
      if (response.status !== 429 && response.status < 500) return response;
      if (attempt >= attempts) return response;
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 250));
  }
}
${fence}

How to use it:

1. Call it like \`fetch\`: \`await fetchWithRetry("/api/items")\`.
2. Pass an \`AbortSignal\` in \`init\` to cancel it.
3. Keep \`attempts\` small: each retry doubles the wait.

> Retrying a request that changes data is only safe with an idempotency key.`,
  },
  {
    matches: /\b(sql|query|database|users|active)\b/i,
    text: () => `### Daily active users

Count distinct users per day from an events table:

${fence}sql
SELECT date_trunc('day', created_at) AS day,
       count(DISTINCT user_id)       AS active_users
FROM   events
WHERE  created_at >= now() - interval '30 days'
GROUP  BY 1
ORDER  BY 1;
${fence}

- An index on \`(created_at)\` keeps it fast.
- For a dashboard, store the result in a daily rollup table.

Run it from the shell:

${fence}bash
psql "$DATABASE_URL" -f daily_active_users.sql
${fence}`,
  },
  {
    matches: /\b(guard|guards|gate|gates|demo|this app)\b/i,
    text: (question) => `## How this app guards every model call

You asked: *${question.length > 120 ? `${question.slice(0, 120)}…` : question}*

This is the **demo model**: no \`OPENAI_API_KEY\` is set, so this reply was written locally and streamed word by word. It still went through every gate:

1. **Session** — no account, no call.
2. **Input** — a strict schema and your plan's message length.
3. **One-time token** — a captured request cannot be replayed.
4. **Rate limit** — per user and per IP, failing closed.
5. **Quota** — the worst case is reserved before the call and settled after.
6. **Audit** — one row per request, served or refused.

Set a key in \`.env.local\` to get real answers:

${fence}bash
OPENAI_API_KEY=sk-...
${fence}`,
  },
];

let turn = 0;

/** A reply that fits the question's words, or the next one in turn when the question says nothing specific. */
export function demoReplyFor(question: string): string {
  const specific = DEMO_REPLIES.find((reply) => reply.matches.test(question));
  const reply = specific ?? DEMO_REPLIES[turn++ % DEMO_REPLIES.length]!;
  return reply.text(question);
}
