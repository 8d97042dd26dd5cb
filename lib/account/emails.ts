import "server-only";
import { appOrigin } from "@/lib/billing/app-origin";
import { linkMessage } from "@/lib/email/message";
import { sendEmail } from "@/lib/email/send";
import { createEmailLinkToken, type LinkRecipient } from "./email-links";
import { EMAIL_LINK_PURPOSES } from "./email-link-codec";

type Recipient = LinkRecipient;

export async function sendVerificationEmail(user: Recipient): Promise<void> {
  const url = `${appOrigin()}/verify-email/confirm?token=${encodeURIComponent(createEmailLinkToken("verify-email", user))}`;
  await sendEmail(
    linkMessage({
      to: user.email,
      subject: "Confirm your email address",
      intro: "Confirm this address to start using the AI features of your account.",
      action: "Confirm email address",
      url,
      outro: `The link works once and expires in ${EMAIL_LINK_PURPOSES["verify-email"] / 3600} hours. If you did not sign up, ignore this email.`,
    }),
  );
}

export async function sendPasswordResetEmail(user: Recipient): Promise<void> {
  const url = `${appOrigin()}/reset-password?token=${encodeURIComponent(createEmailLinkToken("reset-password", user))}`;
  await sendEmail(
    linkMessage({
      to: user.email,
      subject: "Reset your password",
      intro: "Someone (hopefully you) asked to reset the password of your account.",
      action: "Choose a new password",
      url,
      outro: `The link works once and expires in ${EMAIL_LINK_PURPOSES["reset-password"] / 60} minutes. Setting a new password logs out every device and disconnects any sign-in method, such as GitHub, that you did not connect yourself on your account page. If you did not ask for this, ignore this email: your password stays as it is.`,
    }),
  );
}

/**
 * To the owner of an address someone tried to sign up with: sign-up answers a taken address as it
 * answers a new one, so the owner learns it here, with the ways back into the account.
 */
export async function sendAccountExistsEmail(email: string): Promise<void> {
  await sendEmail(
    linkMessage({
      to: email,
      subject: "You already have an account",
      intro: "Someone (hopefully you) tried to create an account with this address, which already has one. Nothing was changed.",
      action: "Log in",
      url: `${appOrigin()}/login`,
      outro: `Forgot your password? Choose a new one at ${appOrigin()}/forgot-password. If this was not you, ignore this email.`,
    }),
  );
}
