import { expect, test, type APIRequestContext } from "@playwright/test";
import { signUp } from "../e2e/helpers";
import { serverActions } from "../e2e/server-actions";

// What tests/security/fuzz.spec.ts found, pinned as plain regression tests.

async function postArgs(request: APIRequestContext, path: string, id: string, args: string) {
  const multipart = new FormData();
  multipart.append("0", args);
  const response = await request.post(path, { headers: { "Next-Action": id }, multipart, maxRedirects: 0, failOnStatusCode: false });
  return { status: response.status(), body: await response.text() };
}

// Finding 1: signInWithGitHubAction read `formData.get` on whatever came first; React's
// form-state argument list ([previousState, formData]) put null there: a TypeError and a 500.
test("the GitHub sign-in action posted with a form-state argument list does not fail with a 500", async ({ request }) => {
  const github = serverActions().find((action) => action.exportedName === "signInWithGitHubAction")!;
  for (const args of ['[null,"$K1"]', "[]", "[42]"]) {
    const reply = await postArgs(request, "/login", github.id, args);
    expect(reply.status, `${args}: ${reply.body.slice(0, 200)}`).not.toBe(500);
  }
});

// Finding 2: an action wrapper given something other than a form (`[]`, a number) threw inside
// Object.fromEntries and answered "Something went wrong" (logged as an unexpected error). Now
// every wrapped action says what is wrong: invalid_input. An admin action says "forbidden" to
// this (non-admin) user first: it refuses before reading its input at all.
test("every form action given no form, or a number instead of one, refuses with invalid_input (admin actions: forbidden)", async ({
  page,
}) => {
  await signUp(page);
  const formActions = serverActions().filter((action) => !["signInWithGitHubAction", "signOutAction"].includes(action.exportedName));
  for (const action of formActions) {
    for (const args of ["[]", "[null, 7]"]) {
      const reply = await postArgs(page.request, action.pagePath, action.id, args);
      expect(reply.status, action.exportedName).toBe(200);
      const expected = action.pagePath.startsWith("/admin") ? '"code":"forbidden"' : '"code":"invalid_input"';
      expect(reply.body, `${action.exportedName} ${args}`).toContain(expected);
    }
  }
});
