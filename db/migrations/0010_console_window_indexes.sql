-- Indexes for the console's windowed reads, so none reads a whole growing table (tests/integration/console-plans.test.ts).
CREATE INDEX "audit_log_breach_created_idx" ON "audit_log" USING btree ("created_at") WHERE details ? 'reservationBreach';--> statement-breakpoint
CREATE INDEX "feedback_created_idx" ON "feedback" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "usage_daily_day_idx" ON "usage_daily" USING btree ("day");