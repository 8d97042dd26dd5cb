import { NextResponse } from "next/server";
import { markEmailVerified } from "@/db/queries/users";
import { claimEmailLink, readEmailLink } from "@/lib/account/email-links";
import { AppError } from "@/lib/errors";

// The link in the verification email. It uses the link up and marks the address proven. A
// second visit (a mail scanner may have opened it first) finds the address already proven.
export const dynamic = "force-dynamic";

async function outcome(token: string | null): Promise<"verified" | "invalid" | "unavailable"> {
  try {
    const user = await claimEmailLink("verify-email", token);
    await markEmailVerified(user.id, user.email!);
    return "verified";
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "service_unavailable") return "unavailable";
    const user = await readEmailLink("verify-email", token).catch(() => null);
    return user?.emailVerified ? "verified" : "invalid";
  }
}

export async function GET(request: Request): Promise<NextResponse> {
  const status = await outcome(new URL(request.url).searchParams.get("token"));
  return NextResponse.redirect(new URL(`/verify-email?status=${status}`, request.url), 303);
}
