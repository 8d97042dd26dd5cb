"use client";

import { useActionState } from "react";
import { connectGitHubAction, removeSignInMethodAction } from "@/app/account/actions";
import { Badge } from "@/components/ui/badge";
import { Field, FormMessage } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/submit-button";

type Props = {
  hasPassword: boolean;
  githubEnabled: boolean;
  github: { confirmed: boolean } | null;
};

/**
 * The ways into this account. Connecting or removing one asks for the current password (an
 * account without one: a sign-in within the last 10 minutes), as a password change does.
 */
export function SignInMethods({ hasPassword, githubEnabled, github }: Props) {
  const [connectState, connect] = useActionState(connectGitHubAction, null);
  const [removeState, remove] = useActionState(removeSignInMethodAction, null);
  const connectError = connectState && !connectState.ok ? connectState.error : undefined;
  const removeError = removeState && !removeState.ok ? removeState.error : undefined;
  const proofField = (id: string, errors?: string[]) =>
    hasPassword && (
      <Field id={id} name="currentPassword" label="Your password" type="password" autoComplete="current-password" errors={errors} />
    );

  return (
    <div className="grid gap-5">
      <ul className="grid gap-2 text-sm" aria-label="Connected sign-in methods">
        <li className="flex flex-wrap items-center gap-2">
          <span className="font-medium">Email and password</span>
          <Badge variant={hasPassword ? "secondary" : "outline"}>{hasPassword ? "Set" : "Not set"}</Badge>
        </li>
        <li className="flex flex-wrap items-center gap-2" data-testid="github-method">
          <span className="font-medium">GitHub</span>
          {github ? (
            <Badge variant={github.confirmed ? "secondary" : "warning"}>
              {github.confirmed ? "Connected" : "Connected, not confirmed"}
            </Badge>
          ) : (
            <Badge variant="outline">Not connected</Badge>
          )}
        </li>
      </ul>

      {githubEnabled && !github && (
        <form action={connect} className="grid max-w-sm gap-3" noValidate>
          <h3 className="text-sm font-semibold">Connect GitHub</h3>
          <p className="text-sm text-muted-foreground">
            Sign in with GitHub as well as with your password. GitHub asks for your consent next.
          </p>
          {proofField("connect-current-password", connectError?.fieldErrors?.currentPassword)}
          {connectError && !connectError.fieldErrors && <FormMessage tone="error">{connectError.message}</FormMessage>}
          <div>
            <SubmitButton variant="outline" pendingText="Opening GitHub…">
              Connect GitHub
            </SubmitButton>
          </div>
        </form>
      )}

      {github && (
        <form action={remove} className="grid max-w-sm gap-3" noValidate>
          <input type="hidden" name="provider" value="github" />
          <h3 className="text-sm font-semibold">Disconnect GitHub</h3>
          <p className="text-sm text-muted-foreground">
            {hasPassword ? "You will sign in with your password only." : "Set a password first: GitHub is your only way in."}
          </p>
          {proofField("remove-current-password", removeError?.fieldErrors?.currentPassword)}
          {removeError && !removeError.fieldErrors && <FormMessage tone="error">{removeError.message}</FormMessage>}
          <div>
            <SubmitButton variant="outline" pendingText="Disconnecting…" disabled={!hasPassword}>
              Disconnect GitHub
            </SubmitButton>
          </div>
        </form>
      )}
    </div>
  );
}
