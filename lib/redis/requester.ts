import { createHash } from "node:crypto";
import { errors, type Requester, type UpstashRequest, type UpstashResponse } from "@upstash/redis";
import type { RedisOptions } from "ioredis";

// Lets @upstash/redis (and so @upstash/ratelimit) talk to plain Redis through ioredis, or to an
// in-process ioredis-mock, by answering its requests the way the Upstash REST API does.

type Arg = string | number;
type Command = Arg[];
type Reply = { result: unknown } | { error: string };
/** What to do with one command: answer it here, or send it and post-process the result. */
type Prepared = { reply: Reply } | { send: Command; lua?: boolean; result?: string };

type Transaction = {
  call(command: string, ...args: Arg[]): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
};

/**
 * ioredis or ioredis-mock. `call` is optional because ioredis-mock has none (its published
 * types claim it has): it only has one method per command, which is what we use there.
 */
export interface IORedisLike {
  call?: (command: string, ...args: Arg[]) => Promise<unknown>;
  multi(): Transaction;
}

/** The longest one Redis call may take on the request path, over TCP or Upstash REST. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;

/** ioredis options for the request path: a dead Redis must fail the request fast, not hang it. */
export const ioredisOptions = {
  lazyConnect: false,
  connectTimeout: 2_000,
  commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
  // One retry after a reconnect instead of 20. The offline queue stays on (default) so the
  // first commands wait for the initial connection instead of failing.
  maxRetriesPerRequest: 1,
} satisfies RedisOptions;

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createRequester(client: IORedisLike, options: { translateEvalsha: boolean }): Requester {
  const { translateEvalsha } = options;
  // sha1(script as the library sent it) → script as Redis runs it. Only ever holds the app's and
  // libraries' script constants, so it stays small.
  const scripts = new Map<string, { script: string; sha: string }>();

  // @upstash/ratelimit's scripts start with "#!lua flags=allow-key-locking": Redis 7.0 rejects the
  // flag and ioredis-mock's Lua (fengari) cannot parse a shebang at all. Blank that line (keeping
  // the newline so line numbers in Lua errors stay right) and remember the mapping.
  function remember(original: string) {
    const script = original.startsWith("#!") ? original.replace(/^#![^\n]*/, "") : original;
    const entry = { script, sha: sha1(script) };
    scripts.set(sha1(original), entry);
    return entry;
  }

  function prepare(command: Command): Prepared {
    const [rawName = "", ...args] = command;
    const name = String(rawName).toLowerCase();
    if (name === "eval" || name === "eval_ro") {
      return { send: [name, remember(String(args[0])).script, ...args.slice(1)], lua: true };
    }
    if (name === "evalsha" || name === "evalsha_ro") {
      const known = scripts.get(String(args[0]).toLowerCase());
      if (!translateEvalsha) return { send: [name, known?.sha ?? String(args[0]), ...args.slice(1)], lua: true };
      // ioredis-mock: run the remembered script with EVAL rather than trust its script cache.
      if (!known) return { reply: { error: NOSCRIPT } };
      return { send: [name.replace("sha", ""), known.script, ...args.slice(1)], lua: true };
    }
    if (name === "script" && String(args[0]).toLowerCase() === "load") {
      const original = String(args[1]);
      const { script } = remember(original);
      // Answer with the ORIGINAL sha: callers compare it with their precomputed hash.
      if (translateEvalsha) return { reply: { result: sha1(original) } }; // ioredis-mock has no SCRIPT
      return { send: ["script", "load", script], result: sha1(original) };
    }
    return { send: command };
  }

  // Returns a promise, but ioredis-mock executes the command synchronously inside this call,
  // which is what makes its "transactions" atomic below.
  function send([name = "", ...args]: Command): Promise<unknown> {
    const command = String(name);
    // Upper case on purpose: ioredis applies reply transformers by lower-case name (HGETALL →
    // object); Upstash REST answers with Redis's flat array, and so must we.
    if (typeof client.call === "function") return client.call(command.toUpperCase(), ...args);
    const method = (client as unknown as Record<string, unknown>)[command.toLowerCase()];
    if (typeof method !== "function") return Promise.reject(new Error(`ERR unknown command '${command}'`));
    return new Promise((resolve) => resolve(method.apply(client, mockArgs(command.toLowerCase(), args)))).then((result) => {
      // The mock answers INCR & co. on a non-number with NaN (and stores "NaN") instead of
      // failing; report Redis's error so callers never count with NaN.
      if (Number.isNaN(result)) throw new Error("ERR value is not an integer or out of range");
      return result;
    });
  }

  function finish(prepared: Extract<Prepared, { send: Command }>, raw: unknown): Reply {
    if (prepared.result !== undefined) return { result: prepared.result };
    return { result: normalize(raw, prepared.lua ?? false) };
  }

  async function one(prepared: Prepared): Promise<Reply> {
    if ("reply" in prepared) return prepared.reply;
    try {
      return finish(prepared, await send(prepared.send));
    } catch (error) {
      // Redis error text goes through unchanged (the rate limiter looks for "NOSCRIPT").
      return { error: message(error) };
    }
  }

  // All commands are dispatched in this tick, in order, without awaiting in between: on ioredis
  // they go down one connection back to back (a pipeline), on ioredis-mock they run to completion
  // before any other request can interleave (so it also serves as the mock's MULTI/EXEC).
  const batch = (commands: Command[]) => Promise.all(commands.map((command) => one(prepare(command))));

  async function transaction(commands: Command[]): Promise<Reply[]> {
    if (typeof client.call !== "function") return batch(commands);
    const prepared = commands.map(prepare);
    const tx = client.multi();
    for (const p of prepared) if ("send" in p) tx.call(String(p.send[0]).toUpperCase(), ...p.send.slice(1));
    let results;
    try {
      results = await tx.exec();
    } catch (error) {
      // A command Redis refused to queue aborts the whole transaction (EXECABORT); REST answers
      // that with an HTTP error, which @upstash/redis throws.
      const queued = (error as { previousErrors?: unknown[] }).previousErrors ?? [];
      throw new errors.UpstashError([message(error), ...queued.map(message)].join(" "));
    }
    if (!results) throw new errors.UpstashError("EXECABORT Transaction aborted");
    let i = 0;
    return prepared.map((p) => {
      if ("reply" in p) return p.reply;
      const [error, raw] = results[i++] ?? [null, null];
      return error ? { error: message(error) } : finish(p, raw);
    });
  }

  return {
    async request<TResult = unknown>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
      const path = req.path?.[0];
      if (path === undefined) return (await one(prepare(req.body as Command))) as UpstashResponse<TResult>;
      if (path !== "pipeline" && path !== "multi-exec") throw new Error(`Unsupported Upstash request path: ${path}`);
      const commands = req.body as Command[];
      const replies = path === "pipeline" ? await batch(commands) : await transaction(commands);
      // Pipelines read an array of replies, although the Requester type only describes one.
      return replies as unknown as UpstashResponse<TResult>;
    },
  };
}

/** Shapes a result like the REST API: strings not Buffers, nil as null (never undefined). */
function normalize(value: unknown, lua: boolean): unknown {
  if (value === undefined || value === null || value === false) return null; // Lua false is nil; the mock returns false
  if (value === true) return 1; // Lua true is integer 1; the mock returns true
  if (typeof value === "number") return lua ? Math.trunc(value) : value; // Redis truncates Lua numbers
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (Array.isArray(value)) return value.map((item) => normalize(item, lua));
  if (typeof value === "object")
    return Object.entries(value)
      .flat()
      .map((item) => normalize(item, lua)); // mock HGETALL
  return value;
}

/** ioredis-mock only recognises upper-case options for SET and ZADD; @upstash/redis sends lower case. */
function mockArgs(name: string, args: Arg[]): Arg[] {
  const upper = (arg: Arg) => (typeof arg === "string" ? arg.toUpperCase() : arg);
  if (name === "set") return [...args.slice(0, 2), ...args.slice(2).map(upper)]; // after key, value: flags and numbers only
  if (name === "zadd") {
    const flags = args.slice(1).findIndex((arg) => !/^(nx|xx|gt|lt|ch|incr)$/i.test(String(arg)));
    const end = flags === -1 ? args.length : flags + 1;
    return [args[0] ?? "", ...args.slice(1, end).map(upper), ...args.slice(end)];
  }
  return args;
}
