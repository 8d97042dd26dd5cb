import { readFileSync } from "node:fs";
import type { APIRequestContext } from "@playwright/test";

// Calling server actions the way an attacker would: straight over HTTP, without the UI.

/** Actions that need no session by their nature; every other action must refuse without one. */
export const PUBLIC_ACTIONS: ReadonlySet<string> = new Set([
  "logInAction",
  "signUpAction",
  "signOutAction",
  "signInWithGitHubAction",
  "requestPasswordResetAction",
  "resetPasswordAction",
]);

export type ManifestAction = { id: string; exportedName: string; pagePath: string };

/** Every server action in this build, with a page path that serves it. */
export function serverActions(): ManifestAction[] {
  const manifest = JSON.parse(readFileSync(".next/server/server-reference-manifest.json", "utf8")) as {
    node: Record<string, { exportedName: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => {
    // "app/account/page" → "/account"; route groups like "(auth)" are not part of the URL.
    const worker = Object.keys(entry.workers).find((name) => name.endsWith("/page")) ?? "app/page";
    const pagePath = `/${worker
      .replace(/^app\//, "")
      .replace(/\/?page$/, "")
      .replace(/\([^)]+\)\/?/g, "")}`;
    return { id, exportedName: entry.exportedName, pagePath };
  });
}

/** A server action's id in this build, by its exported name. */
export function actionId(exportedName: string): string {
  const action = serverActions().find((candidate) => candidate.exportedName === exportedName);
  if (!action) throw new Error(`no server action named ${exportedName} in the build`);
  return action.id;
}

/**
 * Posts to a server action the way React's form action does: (previousState, formData). The
 * form's fields come first, then the argument list that refers to them (order matters).
 */
export function postAction(
  request: APIRequestContext,
  pagePath: string,
  id: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  multipart.append("0", JSON.stringify([null, "$K1"]));
  return request.post(pagePath, { headers: { "Next-Action": id, ...headers }, multipart, maxRedirects: 0 });
}
