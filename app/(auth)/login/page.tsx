import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { logInAction } from "@/app/(auth)/actions";
import { AuthForm } from "@/components/auth/auth-form";
import { GitHubButton } from "@/components/auth/github-button";
import { githubEnabled } from "@/lib/auth";
import { PASSWORD_MIN_LENGTH } from "@/lib/password-policy";
import { safeNextPath } from "@/lib/safe-redirect";
import { getSessionUser } from "@/lib/session";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; reset?: string }> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getSessionUser()) redirect(next);
  return (
    <div className="auth-card">
      <h1>Log in</h1>
      {params.reset === "done" && (
        <p className="notice" role="status">
          Your password is changed and every device is logged out. Log in with the new password.
        </p>
      )}
      {githubEnabled && <GitHubButton next={next} />}
      <AuthForm mode="login" action={logInAction} next={next} passwordMinLength={PASSWORD_MIN_LENGTH} />
      <p className="hint">
        <Link href="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="hint">
        No account yet? <Link href={`/signup?next=${encodeURIComponent(next)}`}>Sign up</Link>
      </p>
    </div>
  );
}
