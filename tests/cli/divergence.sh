#!/bin/sh
# divergence.sh - a step size far too large stops training cleanly.
#
# Full-batch gradient descent on raw (unstandardised) diabetes with lr 10
# is far beyond 2/lambda_max of the Hessian of the mean squared error, so
# the loss grows until it overflows.  descent must stop with exit 3, say
# where it stopped and what to try (a --lr below 2/lambda_max, stating
# both), and still write a status record and the last finite weights.  The
# suggested --lr must then actually train.  lambda_max is recomputed here
# independently by power iteration on H = (2/n) sum of x x^T (x with a 1
# appended for the bias), so the estimate in the message is checked, not
# only its consistency with the suggestion.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv
number='-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?'

# finite_model WHAT: every weight and bias value of the last run is finite.
finite_model() {
	awk -F, -v number="^$number\$" '
		$1 == "weight" { count++; if ($5 !~ number) print $0 }
		$1 == "bias" { count++; if ($4 !~ number) print $0 }
		END { if (!count) print "no weight or bias records" }
	' "$tmp/out" >"$tmp/problems"
	[ ! -s "$tmp/problems" ] || fail "$1: not finite: $(head -3 "$tmp/problems")"
}

# weights_of_epoch WHAT N: the weights written are those of epoch N, the
# epoch the status record names: the same command run for N epochs ends
# with exactly these weight and bias records.  (Training is deterministic,
# and a run that diverges later takes the same first N epochs.)
weights_of_epoch() {
	grep -E '^(weight|bias),' "$tmp/out" >"$tmp/diverged_weights"
	# shellcheck disable=SC2086  # the remembered words, split on purpose
	"$DESCENT" $last_arguments -e "$2" <"$last_input" 2>/dev/null |
		grep -E '^(weight|bias),' >"$tmp/epoch_weights"
	cmp -s "$tmp/diverged_weights" "$tmp/epoch_weights" ||
		fail "$1: the weights written are not those of epoch $2 named by the status record ($(head -n 1 "$tmp/diverged_weights") vs $(head -n 1 "$tmp/epoch_weights") after -e $2)"
}

# train INPUT ARGS...: run, remembering the command for weights_of_epoch
# (ARGS without -e, which train appends).
train() {
	last_input=$1
	shift
	last_arguments=$*
	run "$last_input" "$@" -e 50
}

# diverged WHAT: the last run diverged and wrote what it should.
diverged() {
	expect_status 3 "$1"
	grep -q -E '^status,diverged,[0-9]+$' "$tmp/out" ||
		fail "$1: no 'status,diverged,N' record (got '$(grep '^status,' "$tmp/out")')"
	finite_model "$1"
	# The status names the epoch of the weights written: the last epoch
	# record, since every reported epoch had a finite loss.
	set -- "$1" "$(awk -F, '$1 == "status" { print $3 }' "$tmp/out")" \
		"$(awk -F, '$1 == "epoch" { last = $2 } END { print last }' "$tmp/out")"
	[ "$2" = "$3" ] || fail "$1: status record says epoch $2, last epoch record is $3"
	grep -q -E "^epoch,[0-9]+,$number," "$tmp/out" || fail "$1: no epoch record with a finite loss"
	weights_of_epoch "$1" "$2"
	grep -q -i -E '^epoch,.*(nan|inf)' "$tmp/out" && fail "$1: an epoch record has a non-finite number"
	[ "$(head -c 9 "$tmp/err")" = "descent: " ] || fail "$1: stderr does not start with 'descent: '"
}

# ---------------------------------------------------------------------
# Plain gradient descent, lr 10, full batch.

train "$diabetes" -m linear -o sgd -l 10 -b 0
diverged "sgd -l 10 -b 0"
last_epoch=$(awk -F, '$1 == "epoch" { last = $2 } END { print last + 0 }' "$tmp/out")
[ "$last_epoch" -lt 50 ] || fail "sgd -l 10: epoch records run to $last_epoch, expected to stop before 50"
grep -q -i 'epoch [0-9]' "$tmp/err" || fail "sgd -l 10: stderr does not name the epoch: $(cat "$tmp/err")"
grep -q -i 'step [0-9]' "$tmp/err" || fail "sgd -l 10: stderr does not name the step: $(cat "$tmp/err")"

suggested=$(sed -n -E "s/.*try --lr ($number).*/\\1/p" "$tmp/err" | head -n 1)
bound=$(sed -n -E "s/.*2\\/lambda_max = ($number).*/\\1/p" "$tmp/err" | head -n 1)
stated_lambda=$(sed -n -E "s/.*eigenvalue[^0-9]*($number).*/\\1/p" "$tmp/err" | head -n 1)
[ -n "$suggested" ] || fail "sgd -l 10: no 'try --lr NUMBER' on stderr: $(cat "$tmp/err")"
[ -n "$bound" ] || fail "sgd -l 10: stderr does not state '2/lambda_max = NUMBER': $(cat "$tmp/err")"
[ -n "$stated_lambda" ] || fail "sgd -l 10: stderr does not state the largest eigenvalue: $(cat "$tmp/err")"
awk -v lr="${suggested:-1}" -v bound="${bound:-0}" 'BEGIN { exit !(lr + 0 > 0 && lr + 0 < bound + 0) }' ||
	fail "suggested --lr $suggested is not below 2/lambda_max = $bound"

# lambda_max by power iteration, and the stated values against it (3
# significant digits are printed, so 1%).
lambda_max=$(awk -F, '
	NR > 1 { n++; for (j = 1; j < NF; j++) x[n, j] = $j; x[n, NF] = 1; d = NF }
	END {
		for (i = 1; i <= d; i++) for (j = 1; j <= d; j++) {
			s = 0; for (k = 1; k <= n; k++) s += x[k, i] * x[k, j]
			h[i, j] = 2 * s / n
		}
		for (i = 1; i <= d; i++) v[i] = 1
		for (iteration = 0; iteration < 500; iteration++) {
			norm = 0
			for (i = 1; i <= d; i++) {
				s = 0; for (j = 1; j <= d; j++) s += h[i, j] * v[j]
				w[i] = s; norm += s * s
			}
			norm = sqrt(norm)
			for (i = 1; i <= d; i++) v[i] = w[i] / norm
		}
		printf "%.17g\n", norm
	}' "$diabetes")
close_enough "${stated_lambda:-0}" "$lambda_max" 0.01 ||
	fail "stated largest eigenvalue $stated_lambda, power iteration gives $lambda_max"
close_enough "${bound:-0}" "$(awk -v l="$lambda_max" 'BEGIN { printf "%.17g", 2 / l }')" 0.01 ||
	fail "stated 2/lambda_max $bound, power iteration gives 2/$lambda_max"

# The suggestion works: the same run with it trains for all 50 epochs.
if [ -n "$suggested" ]; then
	run "$diabetes" -m linear -o sgd -l "$suggested" -b 0 -e 50
	expect_status 0 "sgd with the suggested --lr $suggested"
	[ "$(grep -c '^epoch,' "$tmp/out")" -eq 51 ] ||
		fail "sgd with the suggested --lr: $(grep -c '^epoch,' "$tmp/out") epoch records, expected 51"
	grep -q '^status,completed,50$' "$tmp/out" ||
		fail "sgd with the suggested --lr: status '$(grep '^status,' "$tmp/out")', expected 'status,completed,50'"
	first=$(awk -F, '$1 == "epoch" && $2 == 0 { print $3 }' "$tmp/out")
	last=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/out")
	awk -v a="${last:-1}" -v b="${first:-0}" 'BEGIN { exit !(a + 0 < b + 0) }' ||
		fail "sgd with the suggested --lr: loss did not fall ($first -> $last)"
fi

# ---------------------------------------------------------------------
# The message states only what was computed (issue 10): here the gradient
# overflows to +inf and -inf, whose sum is NaN, and the curvature overflows
# too, so there is neither a gradient norm nor a lambda_max to state.

printf 'x,y\n1e300,1e10\n-1e300,1e10\n' >"$tmp/overflow.csv"
run "$tmp/overflow.csv" -b 2 -e 5
expect_status 3 "gradient of +inf and -inf"
expect_stderr "the gradient is not finite" "gradient of +inf and -inf"
grep -q -i 'nan\|inf' "$tmp/err" &&
	fail "gradient of +inf and -inf: the message prints a non-finite number: $(cat "$tmp/err")"
grep -q 'not estimated\|2/lambda_max' "$tmp/err" &&
	fail "gradient of +inf and -inf: the message compares with a lambda_max it has not: $(cat "$tmp/err")"
expect_stderr "try --lr 0.001 or smaller" "gradient of +inf and -inf"

# ---------------------------------------------------------------------
# Other optimizers at an absurd step size, with mini-batches.

train "$diabetes" -m linear -o momentum -l 1e200
diverged "momentum -l 1e200"
train "$diabetes" -m linear -o adam -l 1e200
diverged "adam -l 1e200"
train "$data/breast_cancer.csv" -m logistic -o momentum -l 1e300
# Logistic loss grows only linearly in the logit: it may overflow or not;
# either way the weights written must be finite.
case $status in
0) finite_model "logistic momentum -l 1e300 (completed)" ;;
3) diverged "logistic momentum -l 1e300" ;;
*) fail "logistic momentum -l 1e300: exit status $status, expected 0 or 3" ;;
esac

finish
