#!/bin/sh
# SIGINT during training stops after the current step, still writes the
# weights reached with status "interrupted", and exits 130.  SIGTERM does
# the same and exits 143.  A second signal ends the run at once, and never
# leaves the temporary file of --save behind (issue 10).
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

# ---------------------------------------------------------------------
# SIGTERM: the same stop after the current step, exit 143.

"$DESCENT" --standardize -e 100000000 -b 1 --save "$tmp/term.model" <"$data/diabetes.csv" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	grep -q '^epoch,2,' "$tmp/out" 2>/dev/null && break
	sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
status=$?

expect_status 143 "SIGTERM"
expect_stderr "descent: terminated (SIGTERM) in epoch" "SIGTERM"
grep -q '^status,interrupted,[0-9][0-9]*$' "$tmp/out" || fail "SIGTERM: no status,interrupted record"
[ "$(grep -c '^weight,' "$tmp/out")" -eq 10 ] || fail "SIGTERM: weights not written"
grep -q '^status,interrupted,' "$tmp/term.model" 2>/dev/null || fail "SIGTERM: the model was not saved"
leftover=$(find "$tmp" -name '.descent-*' | head -n 1)
[ -z "$leftover" ] || fail "SIGTERM: temporary file left behind: $leftover"

# ---------------------------------------------------------------------
# A second signal while --save writes a model of some 40 MB: SIGINT, then
# SIGTERM once the temporary file exists.  The run ends at once, by
# SIGTERM, and removes the temporary file.

mkdir "$tmp/save"
env --default-signal=INT "$DESCENT" -q -m softmax --hidden 1000,1000 -e 0 --save "$tmp/save/big.model" \
	<"$data/digits.csv" >/dev/null 2>"$tmp/err" &
pid=$!
seen=
for _ in $(seq 2000); do
	if [ -n "$(find "$tmp/save" -name '.descent-*')" ]; then
		seen=1
		kill -INT "$pid"
		kill -TERM "$pid"
		break
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.01
done
wait "$pid"
status=$?
if [ -n "$seen" ]; then
	leftover=$(find "$tmp/save" -name '.descent-*' | head -n 1)
	[ -z "$leftover" ] || fail "a second signal during --save left $leftover behind"
	case $status in
	143 | 0) ;;     # killed by SIGTERM; or both signals came after the rename
	*) fail "a second signal during --save: exit status $status, expected 143" ;;
	esac
else
	echo "interrupt.sh: the save ended before its temporary file was seen; not tried"
fi
finish
