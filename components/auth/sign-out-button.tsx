import { signOutAction } from "@/app/(auth)/actions";

export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <button type="submit" className="button link">
        Log out
      </button>
    </form>
  );
}
