"use client";

import { CircleAlertIcon, ClockIcon, GaugeIcon, MailWarningIcon, PauseCircleIcon, TextIcon } from "lucide-react";
import Link from "next/link";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { buttonVariants } from "@/components/ui/button";
import { formatDuration, useIsClient, useSecondsLeft } from "@/hooks/use-countdown";
import type { ErrorPayload } from "@/lib/errors";

type RefusalAlertProps = {
  error: ErrorPayload;
  /** When the refusal stops applying (ms since epoch): a rate limit's end or the daily reset. */
  until: number | null;
  /** Billing is configured and a bigger plan exists: only then is there something to buy. */
  canUpgrade: boolean;
};

/**
 * One refusal, one Alert: an icon, what happened, and the one next step (wait with a live
 * countdown, upgrade, shorten). Replaces the stacked red lines of earlier versions.
 */
export function RefusalAlert({ error, until, canUpgrade }: RefusalAlertProps) {
  const isClient = useIsClient();
  const secondsLeft = useSecondsLeft(until);
  const upgrade = canUpgrade && error.upgradeUrl && (
    <Link href={error.upgradeUrl} prefetch={false} className={buttonVariants({ size: "sm" })}>
      Upgrade your plan
    </Link>
  );
  const nextStep = error.nextStep && (
    <Link href={error.nextStep.href} prefetch={false} className={buttonVariants({ size: "sm", variant: "outline" })}>
      {error.nextStep.label}
    </Link>
  );
  // The reset time in the reader's own time zone (after hydration; the server does not know it).
  const resetClock = until !== null && isClient ? new Date(until).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) : null;
  const countdown = secondsLeft !== null && secondsLeft > 0 ? formatDuration(secondsLeft) : null;

  switch (error.code) {
    case "quota_exceeded":
      return (
        <Frame icon={<GaugeIcon aria-hidden />} tone="warning" title="You've reached today's limit">
          <p>{firstSentence(error.message)}</p>
          {resetClock && (
            <p>
              It resets at {resetClock} your time{countdown && <> (in {countdown})</>}.
            </p>
          )}
          {upgrade}
        </Frame>
      );
    case "rate_limited":
      return (
        <Frame icon={<ClockIcon aria-hidden />} tone="warning" title="A short pause">
          <p>{countdown ? <>Too many requests in a row. You can send again in {countdown}.</> : "You can send again now."}</p>
        </Frame>
      );
    case "message_too_long":
      return (
        <Frame icon={<TextIcon aria-hidden />} tone="warning" title="Message too long">
          <p>{error.message}</p>
          {upgrade}
        </Frame>
      );
    case "budget_exhausted":
      return (
        <Frame icon={<PauseCircleIcon aria-hidden />} tone="warning" title="Paused for today">
          <p>
            The service has reached today&apos;s spending limit.{" "}
            {resetClock ? (
              <>
                It resumes at {resetClock} your time{countdown && <> (in {countdown})</>}.
              </>
            ) : (
              "It resumes tomorrow."
            )}
          </p>
        </Frame>
      );
    case "email_unverified":
      return (
        <Frame icon={<MailWarningIcon aria-hidden />} tone="warning" title="Confirm your email address">
          <p>{error.message}</p>
          {nextStep}
        </Frame>
      );
    default:
      return (
        <Frame icon={<CircleAlertIcon aria-hidden />} tone="destructive" title="Not sent">
          <p>{error.message}</p>
          {nextStep ?? upgrade}
        </Frame>
      );
  }
}

function Frame({
  icon,
  tone,
  title,
  children,
}: {
  icon: React.ReactNode;
  tone: "warning" | "destructive";
  title: string;
  children: React.ReactNode;
}) {
  return (
    <Alert variant={tone} data-testid="chat-error">
      {icon}
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription className="gap-2 text-foreground/80">{children}</AlertDescription>
    </Alert>
  );
}

/** The server's message up to its first full stop: the numbers, without the UTC reset sentence we show in local time. */
function firstSentence(message: string): string {
  const end = message.search(/\.\s/);
  return end === -1 ? message : message.slice(0, end + 1);
}

/** When a refusal stops applying, from its payload. */
export function refusalEndsAt(error: ErrorPayload, receivedAt: number): number | null {
  if (error.retryAfterSeconds) return receivedAt + error.retryAfterSeconds * 1000;
  if (error.resetsAt) return Date.parse(error.resetsAt);
  return null;
}
