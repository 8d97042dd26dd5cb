-- audit_daily holds each UTC day's totals of audit_log; triggers keep it current whichever code
-- path writes a row. An insert adds the row; an update of a counted column (the sweeper's `lost`
-- row replaced by the request's real one) takes the old values out and puts the new ones in.
-- Retention clears text only, which no trigger watches: totals never change with it.
CREATE OR REPLACE FUNCTION audit_daily_bump(r audit_log, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_daily AS d (day, action, model, outcome, cache_hit, requests, input_tokens, output_tokens, cost_micros, saved_micros)
  VALUES (
    (r.created_at AT TIME ZONE 'UTC')::date, r.action, coalesce(r.model, ''), r.outcome, r.cache_hit,
    sign, sign * r.input_tokens, sign * r.output_tokens, sign * r.cost_micros,
    sign * CASE WHEN r.cache_hit THEN coalesce((r.details->>'savedMicros')::bigint, 0) ELSE 0 END
  )
  ON CONFLICT (day, action, model, outcome, cache_hit) DO UPDATE SET
    requests = d.requests + EXCLUDED.requests,
    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
    cost_micros = d.cost_micros + EXCLUDED.cost_micros,
    saved_micros = d.saved_micros + EXCLUDED.saved_micros;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_daily_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM audit_daily_bump(OLD, -1);
  END IF;
  PERFORM audit_daily_bump(NEW, 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_daily_rollup AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_daily_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_daily_rollup_update
  AFTER UPDATE OF created_at, action, model, outcome, cache_hit, input_tokens, output_tokens, cost_micros, details ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_daily_change();
--> statement-breakpoint
-- Rows written before this migration.
INSERT INTO audit_daily (day, action, model, outcome, cache_hit, requests, input_tokens, output_tokens, cost_micros, saved_micros)
SELECT (created_at AT TIME ZONE 'UTC')::date, action, coalesce(model, ''), outcome, cache_hit,
  count(*), sum(input_tokens), sum(output_tokens), sum(cost_micros),
  sum(CASE WHEN cache_hit THEN coalesce((details->>'savedMicros')::bigint, 0) ELSE 0 END)
FROM audit_log GROUP BY 1, 2, 3, 4, 5;
