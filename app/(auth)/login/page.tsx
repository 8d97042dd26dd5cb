import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { logInAction } from "@/app/(auth)/actions";
import { CircleCheckIcon } from "lucide-react";
import { AuthCard } from "@/components/auth/auth-card";
import { AuthForm } from "@/components/auth/auth-form";
import { GitHubButton } from "@/components/auth/github-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { githubEnabled } from "@/lib/auth";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { safeNextPath } from "@/lib/http/safe-redirect";
import { getSessionUser } from "@/lib/auth/session-user";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; reset?: string }> }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  if (await getSessionUser()) redirect(next);
  return (
    <AuthCard
      title="Log in"
      description="Welcome back. Your conversations are where you left them."
      footer={
        <p>
          No account yet?{" "}
          <Link href={`/signup?next=${encodeURIComponent(next)}`} className="font-medium text-primary underline-offset-4 hover:underline">
            Sign up
          </Link>
        </p>
      }
    >
      {params.reset === "done" && (
        <Alert variant="success" role="status">
          <CircleCheckIcon aria-hidden />
          <AlertTitle>Your password is changed and every device is logged out.</AlertTitle>
          <AlertDescription>Log in with the new password.</AlertDescription>
        </Alert>
      )}
      {githubEnabled && <GitHubButton next={next} />}
      <AuthForm mode="login" action={logInAction} next={next} passwordMinLength={PASSWORD_MIN_LENGTH} />
      <Link
        href="/forgot-password"
        className="justify-self-center text-sm text-muted-foreground underline-offset-4 hover:text-foreground hover:underline"
      >
        Forgot your password?
      </Link>
    </AuthCard>
  );
}
