-- The semantic cache needs pgvector (Neon, Supabase and PGlite have it; the Debian PostgreSQL
-- on CI machines does not). Where the extension cannot be created, this migration creates no
-- table and succeeds: the app sees the table missing at start, logs one line and runs with the
-- exact cache only. A database that gets pgvector later: create the extension, then run the
-- statements of the block below by hand (or drop and recreate the database in development).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    RAISE NOTICE 'semantic_cache: the vector extension is not available; the semantic cache stays off';
    RETURN;
  END IF;
  BEGIN
    CREATE EXTENSION IF NOT EXISTS vector;
  EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR undefined_file THEN
    RAISE NOTICE 'semantic_cache: cannot create the vector extension (%); the semantic cache stays off', SQLERRM;
    RETURN;
  END;
  CREATE TABLE "semantic_cache" (
    "id" bigserial PRIMARY KEY NOT NULL,
    "scope_key" text NOT NULL,
    "lexical_key" text NOT NULL,
    "user_id" text,
    "feature" text NOT NULL,
    "model" text NOT NULL,
    "prompt_version" text NOT NULL,
    "request_id" uuid NOT NULL,
    "answer" text NOT NULL,
    "embedding" vector(256) NOT NULL,
    "created_at" timestamp with time zone DEFAULT now() NOT NULL,
    "expires_at" timestamp with time zone NOT NULL
  );
  ALTER TABLE "semantic_cache" ADD CONSTRAINT "semantic_cache_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
  CREATE INDEX "semantic_cache_scope_idx" ON "semantic_cache" USING btree ("scope_key","lexical_key","expires_at");
  CREATE INDEX "semantic_cache_embedding_idx" ON "semantic_cache" USING hnsw ("embedding" vector_cosine_ops);
  CREATE INDEX "semantic_cache_expires_idx" ON "semantic_cache" USING btree ("expires_at");
  CREATE INDEX "semantic_cache_request_idx" ON "semantic_cache" USING btree ("request_id");
  CREATE INDEX "semantic_cache_user_idx" ON "semantic_cache" USING btree ("user_id");
END
$$;
--> statement-breakpoint
CREATE INDEX "audit_log_semantic_created_idx" ON "audit_log" USING btree ("created_at") WHERE details->>'cache' = 'semantic';
