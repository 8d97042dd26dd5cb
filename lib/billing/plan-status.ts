import { effectivePlan, paidPlanEndsAt, type Subscription } from "@/db/queries/account";

const formatDate = (date: Date) => date.toLocaleDateString("en-US", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });

/** One line for the account page: what the plan's state is and what happens next. */
export function describePlanStatus(subscription: Subscription | null, now: Date = new Date()): string {
  if (!subscription || (subscription.status === null && subscription.plan === "free")) return "Free plan";
  const plan = effectivePlan(subscription, now);
  const endsAt = paidPlanEndsAt(subscription);
  switch (subscription.status) {
    case null:
      return "Set by an administrator";
    case "active":
    case "trialing": {
      const label = subscription.status === "trialing" ? "Trialing" : "Active";
      if (endsAt && plan.id !== "free") return `${label}, cancels on ${formatDate(endsAt)}`;
      if (endsAt) return `Canceled on ${formatDate(endsAt)}`;
      return subscription.currentPeriodEnd ? `${label}, renews on ${formatDate(subscription.currentPeriodEnd)}` : label;
    }
    case "past_due":
      return plan.id === "free"
        ? "Past due: the payment failed and the grace period is over. Update your card in Manage billing."
        : `Past due: update your card in Manage billing before ${formatDate(endsAt!)} to keep ${plan.name}`;
    case "canceled":
      return "Canceled";
    case "unpaid":
      return "Unpaid: update your card in Manage billing";
    default:
      return `Not active (${subscription.status})`;
  }
}
