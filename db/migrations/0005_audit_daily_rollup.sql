-- audit_daily holds each UTC day's totals of audit_log; this trigger keeps it current on every
-- insert, whichever code path writes the row (an insert skipped by ON CONFLICT fires nothing).
-- Audit rows are never deleted (retention clears their text only), so totals never go down.
CREATE OR REPLACE FUNCTION audit_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_daily AS d (day, action, model, outcome, cache_hit, requests, input_tokens, output_tokens, cost_micros, saved_micros)
  VALUES (
    (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.action, coalesce(NEW.model, ''), NEW.outcome, NEW.cache_hit,
    1, NEW.input_tokens, NEW.output_tokens, NEW.cost_micros,
    CASE WHEN NEW.cache_hit THEN coalesce((NEW.details->>'savedMicros')::bigint, 0) ELSE 0 END
  )
  ON CONFLICT (day, action, model, outcome, cache_hit) DO UPDATE SET
    requests = d.requests + 1,
    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
    cost_micros = d.cost_micros + EXCLUDED.cost_micros,
    saved_micros = d.saved_micros + EXCLUDED.saved_micros;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_daily_rollup AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_daily_add();
--> statement-breakpoint
-- Rows written before this migration.
INSERT INTO audit_daily (day, action, model, outcome, cache_hit, requests, input_tokens, output_tokens, cost_micros, saved_micros)
SELECT (created_at AT TIME ZONE 'UTC')::date, action, coalesce(model, ''), outcome, cache_hit,
  count(*), sum(input_tokens), sum(output_tokens), sum(cost_micros),
  sum(CASE WHEN cache_hit THEN coalesce((details->>'savedMicros')::bigint, 0) ELSE 0 END)
FROM audit_log GROUP BY 1, 2, 3, 4, 5;
