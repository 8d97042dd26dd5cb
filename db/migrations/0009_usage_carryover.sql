CREATE TABLE "usage_carryover" (
	"email_hash" text NOT NULL,
	"day" date NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"tokens_used" bigint DEFAULT 0 NOT NULL,
	"cost_micros" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "usage_carryover_email_hash_day_pk" PRIMARY KEY("email_hash","day")
);
