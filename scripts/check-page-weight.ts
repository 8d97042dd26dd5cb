// The page-weight budgets (README, Interface; scripts/page-weight-budgets.json) checked on the
// production build in .next/, with no server or browser. Next 16 no longer prints "First Load JS"
// (vercel/next.js#83815), so this adds it up from the manifests: for each App Router page, the
// build's root main files (build-manifest.json: the runtime, React, Next's client) plus the entry
// chunks of every segment on the page's path (layouts, page, error and not-found boundaries) from
// the page's client reference manifest. Turbopack lists there every client component a segment
// references, rendered or not, so this is what hydrating the page can need. Chunks behind
// next/dynamic or import() are not counted against the budget: which of them load at once depends
// on what renders (a signed-in page mounts the user menu; toasts wait for the first toast), so the
// table shows them apart, and tests/e2e/page-weight.spec.ts measures the pages in Chromium.
// Sizes are gzip at zlib's default level, as `next start` serves them. Prints a table; exits 1
// when a page is over its budget or a budgeted page is missing from the build.
//   npm run check:page-weight [-- --budgets <file.json>] [-- --next-dir <dir>]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";

const { values: args } = parseArgs({
  options: {
    budgets: { type: "string", default: "scripts/page-weight-budgets.json" },
    "next-dir": { type: "string", default: ".next" },
  },
});
const nextDir = args["next-dir"]!;
const KB = 1024;

type ClientReferenceManifest = { entryJSFiles?: Record<string, string[]> };
type PageManifests = { entry: string; references: ClientReferenceManifest; dynamicFiles: string[] };

if (!existsSync(path.join(nextDir, "build-manifest.json"))) {
  console.error(`No production build in ${nextDir}/ (build-manifest.json is missing): run \`next build\` first.`);
  process.exit(1);
}
const buildManifest = JSON.parse(readFileSync(path.join(nextDir, "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };

/** Each page under .next/server/app: its client reference manifest and its next/dynamic chunks. */
function pageManifests(dir: string): PageManifests[] {
  const found: PageManifests[] = [];
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, item.name);
    if (item.isDirectory()) found.push(...pageManifests(file));
    else if (item.name === "page_client-reference-manifest.js") {
      // The file assigns globalThis.__RSC_MANIFEST[entry]; run it in a context of its own.
      const context: { globalThis?: unknown; __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
      context.globalThis = context;
      runInNewContext(readFileSync(file, "utf8"), context);
      const loadable = path.join(dir, "page", "react-loadable-manifest.json");
      const dynamicFiles = existsSync(loadable)
        ? Object.values(JSON.parse(readFileSync(loadable, "utf8")) as Record<string, { files: string[] }>).flatMap((m) => m.files)
        : [];
      for (const [entry, references] of Object.entries(context.__RSC_MANIFEST ?? {})) found.push({ entry, references, dynamicFiles });
    }
  }
  return found;
}

/** "/(auth)/login/page" → "/login": route groups, parallel-route slots and the leaf name go. */
function routeOf(entry: string): string {
  const segments = entry
    .split("/")
    .filter(Boolean)
    .slice(0, -1)
    .filter((segment) => !/^\(.*\)$/.test(segment) && !segment.startsWith("@"));
  return `/${segments.join("/")}`;
}

const gzipBytes = new Map<string, number>();
function gzipSize(file: string): number {
  let size = gzipBytes.get(file);
  if (size === undefined) {
    const onDisk = path.join(nextDir, file.replace(/^\/?_next\//, ""));
    size = gzipSync(readFileSync(onDisk)).length;
    gzipBytes.set(file, size);
  }
  return size;
}

const sum = (files: Iterable<string>) =>
  [...files].filter((file) => file.endsWith(".js")).reduce((total, file) => total + gzipSize(file), 0);
const pages = new Map<string, { files: number; bytes: number; dynamicBytes: number }>();
for (const { entry, references, dynamicFiles } of pageManifests(path.join(nextDir, "server", "app"))) {
  const route = routeOf(entry);
  if (route.startsWith("/_")) continue; // Next's own pages (_not-found, _global-error)
  const files = new Set([...buildManifest.rootMainFiles, ...Object.values(references.entryJSFiles ?? {}).flat()]);
  const later = new Set(dynamicFiles.filter((file) => !files.has(file)));
  pages.set(route, { files: files.size, bytes: sum(files), dynamicBytes: sum(later) });
}
if (pages.size === 0) {
  console.error(`No App Router page found under ${nextDir}/server/app: is this a Next 16 build?`);
  process.exit(1);
}

const budgets = (JSON.parse(readFileSync(args.budgets!, "utf8")) as { kilobytesGzip: Record<string, number> }).kilobytesGzip;
const failures: string[] = [];
const rows = [...pages.entries()].sort(([a], [b]) => a.localeCompare(b));
console.log(`First-load JavaScript per page (gzip; budgets from ${args.budgets}):`);
console.log(`${"page".padEnd(28)} ${"files".padStart(5)} ${"KB".padStart(8)} ${"budget".padStart(8)} ${"+ dynamic KB".padStart(13)}`);
for (const [route, { files, bytes, dynamicBytes }] of rows) {
  const budget = budgets[route];
  const over = budget !== undefined && bytes > budget * KB;
  if (over) failures.push(`${route}: ${(bytes / KB).toFixed(1)} KB, over its budget of ${budget} KB`);
  const budgetCell = budget === undefined ? "-" : `${budget}`;
  console.log(
    `${route.padEnd(28)} ${String(files).padStart(5)} ${(bytes / KB).toFixed(1).padStart(8)} ${budgetCell.padStart(8)} ${(dynamicBytes / KB).toFixed(1).padStart(13)}${over ? "  OVER" : ""}`,
  );
}
for (const route of Object.keys(budgets)) {
  if (!pages.has(route)) failures.push(`${route}: has a budget but is not a page of this build`);
}
if (failures.length) {
  console.error(`\nPage weight over budget:\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`\nEvery budgeted page (${Object.keys(budgets).join(", ")}) is within its budget.`);
