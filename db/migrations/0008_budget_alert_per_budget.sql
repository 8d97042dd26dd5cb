ALTER TABLE "budget_alerts" DROP CONSTRAINT "budget_alerts_period_day_threshold_percent_pk";--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_period_day_threshold_percent_budget_micros_pk" PRIMARY KEY("period","day","threshold_percent","budget_micros");--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "delivery_claimed_until" timestamp with time zone;