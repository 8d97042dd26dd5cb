import { signInWithGitHubAction } from "@/app/(auth)/actions";

/** Shown only when AUTH_GITHUB_ID and AUTH_GITHUB_SECRET are set. */
export function GitHubButton({ next }: { next: string }) {
  return (
    <form action={signInWithGitHubAction} className="form">
      <input type="hidden" name="next" value={next} />
      <button type="submit" className="button secondary">
        Continue with GitHub
      </button>
      <p className="divider">or with email</p>
    </form>
  );
}
