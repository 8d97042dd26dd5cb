// Stripe's SDK sends form-encoded bodies with bracketed keys: `metadata[userId]=u1`,
// `line_items[0][price]=price_1`, `lookup_keys[0]=pro_monthly`. This turns them back into
// nested objects (numeric keys become arrays), as Stripe's API does.

type Nested = { [key: string]: Nested | string };

export function parseStripeForm(params: URLSearchParams): Record<string, unknown> {
  const root: Nested = {};
  for (const [rawKey, value] of params) {
    const parts = rawKey.replace(/\]/g, "").split("[");
    let node = root;
    parts.forEach((part, index) => {
      const key = part === "" ? String(Object.keys(node).length) : part;
      if (index === parts.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Nested;
    });
  }
  return toArrays(root) as Record<string, unknown>;
}

function toArrays(node: Nested | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  const converted = Object.fromEntries(keys.map((key) => [key, toArrays(node[key]!)]));
  const isList = keys.length > 0 && keys.every((key, index) => key === String(index));
  return isList ? keys.map((key) => converted[key]) : converted;
}
