import { signInWithGitHubAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";

/** Shown only when AUTH_GITHUB_ID and AUTH_GITHUB_SECRET are set. */
export function GitHubButton({ next }: { next: string }) {
  return (
    <form action={signInWithGitHubAction} className="grid gap-4">
      <input type="hidden" name="next" value={next} />
      <Button type="submit" variant="outline" className="w-full">
        Continue with GitHub
      </Button>
      <p className="flex items-center gap-3 text-xs text-muted-foreground uppercase before:h-px before:flex-1 before:bg-border after:h-px after:flex-1 after:bg-border">
        or with email
      </p>
    </form>
  );
}
