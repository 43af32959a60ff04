#!/bin/sh
# SIGINT during training stops after the current step, still writes the
# weights reached with status "interrupted", and exits 130.
. "$top_srcdir/tests/cli/lib.sh"

# A run far too long to finish; env restores SIGINT's default action, which a
# non-interactive shell sets to "ignore" for background commands.
env --default-signal=INT "$DESCENT" --standardize -e 100000000 -b 1 <"$data/diabetes.csv" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# Wait until training has started (epoch records are flushed as written).
for _ in $(seq 100); do
	grep -q '^epoch,2,' "$tmp/out" 2>/dev/null && break
	sleep 0.05
done
kill -INT "$pid"
wait "$pid"
status=$?

expect_status 130 "interrupted run"
expect_stderr "descent: interrupted in epoch" "interrupted run"
grep -q '^status,interrupted,[0-9][0-9]*$' "$tmp/out" || fail "no status,interrupted record"
[ "$(grep -c '^weight,' "$tmp/out")" -eq 10 ] || fail "weights not written after SIGINT"
grep -q '^bias,1,1,' "$tmp/out" || fail "bias not written after SIGINT"
if grep '^weight,\|^bias,' "$tmp/out" | grep -qi 'nan\|inf'; then
	fail "non-finite weights after SIGINT"
fi
# What was written is a usable model.
"$DESCENT" --predict "$tmp/out" <"$data/diabetes.csv" >"$tmp/predictions" ||
	fail "the interrupted run's output is not a model"
[ "$(wc -l <"$tmp/predictions")" -eq 443 ] || fail "predictions from interrupted model (a header and 442 rows)"
finish
