import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { signUpAction } from "@/app/(auth)/actions";
import { AuthCard } from "@/components/auth/auth-card";
import { AuthForm } from "@/components/auth/auth-form";
import { GitHubButton } from "@/components/auth/github-button";
import { githubEnabled } from "@/lib/auth";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { safeNextPath } from "@/lib/http/safe-redirect";
import { getSessionUser } from "@/lib/auth/session-user";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNextPath((await searchParams).next);
  if (await getSessionUser()) redirect(next);
  return (
    <AuthCard
      title="Create your account"
      description="Start on the Free plan. No card needed."
      footer={
        <p>
          Already have an account?{" "}
          <Link href={`/login?next=${encodeURIComponent(next)}`} className="font-medium text-primary underline-offset-4 hover:underline">
            Log in
          </Link>
        </p>
      }
    >
      {githubEnabled && <GitHubButton next={next} />}
      <AuthForm mode="signup" action={signUpAction} next={next} passwordMinLength={PASSWORD_MIN_LENGTH} />
    </AuthCard>
  );
}
