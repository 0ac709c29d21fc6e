-- Records one failed step (or the run itself when no step failed) in {monitoring}.run_failures.
-- Expects: identifier {monitoring}; %(run_id)s, %(job_name)s, %(step_key)s, %(asset_key)s,
-- %(error_class)s, %(message)s (text) and %(failed_at)s (timestamptz).
insert into {monitoring}.run_failures (run_id, job_name, step_key, asset_key, error_class, message, failed_at)
values (%(run_id)s, %(job_name)s, %(step_key)s, %(asset_key)s, %(error_class)s, %(message)s, %(failed_at)s)
