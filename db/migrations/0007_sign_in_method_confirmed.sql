-- Hand-written order: the column first, without a default, so links made before this rule stay
-- unconfirmed (null); new links get the time they were made.
ALTER TABLE "accounts" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "confirmed_at" SET DEFAULT now();
