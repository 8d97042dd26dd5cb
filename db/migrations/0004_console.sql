CREATE TABLE "audit_daily" (
	"day" date NOT NULL,
	"action" text NOT NULL,
	"model" text NOT NULL,
	"outcome" text NOT NULL,
	"cache_hit" boolean NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	"saved_micros" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "audit_daily_day_action_model_outcome_cache_hit_pk" PRIMARY KEY("day","action","model","outcome","cache_hit")
);
--> statement-breakpoint
CREATE TABLE "budget_overrides" (
	"period" text NOT NULL,
	"day" date NOT NULL,
	"budget_micros" bigint NOT NULL,
	"set_by" text,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_overrides_period_day_pk" PRIMARY KEY("period","day")
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"request_id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"rating" smallint NOT NULL,
	"note" text,
	"action" text NOT NULL,
	"model" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "audit_log_user_created_idx";--> statement-breakpoint
DROP INDEX "audit_log_created_idx";--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "period" text DEFAULT 'daily' NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "spent_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "budget_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "delivery_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD COLUMN "last_error" text;--> statement-breakpoint
-- (moved below the column it names: drizzle-kit 0.31 emits this primary key before adding "period")
ALTER TABLE "budget_alerts" DROP CONSTRAINT "budget_alerts_day_threshold_percent_pk";--> statement-breakpoint
ALTER TABLE "budget_alerts" ADD CONSTRAINT "budget_alerts_period_day_threshold_percent_pk" PRIMARY KEY("period","day","threshold_percent");--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "signup_ip_hash" text;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_rating_created_idx" ON "feedback" USING btree ("rating","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_created_id_idx" ON "audit_log" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_user_created_id_idx" ON "audit_log" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_outcome_created_id_idx" ON "audit_log" USING btree ("outcome","created_at","id");--> statement-breakpoint
CREATE INDEX "audit_log_text_created_idx" ON "audit_log" USING btree ("created_at") WHERE prompt_text is not null or response_text is not null;--> statement-breakpoint
CREATE INDEX "users_signup_ip_created_idx" ON "users" USING btree ("signup_ip_hash","created_at");