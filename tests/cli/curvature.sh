#!/bin/sh
# curvature.sh - --curvature: lambda_max, lambda_min and trace every epoch.
#
# Linear regression on standardised diabetes has the constant Hessian
# (2/n) A^T A, A the standardised inputs (population standard deviation)
# and a column of ones.  Its largest eigenvalue, by power iteration in awk
# on that 11x11 matrix, must be what --curvature reports (1e-6 relative),
# and it must set the stability limit of plain full-batch gradient descent:
# --lr 5% above 2/lambda_max diverges (exit 3), 5% below converges.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv
number='-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?'

# The eigenvalues' closed form: "lambda_max trace".
closed_form=$(awk -F, '
	NR > 1 { n++; for (j = 1; j < NF; j++) x[n, j] = $j; d = NF }
	END {
		f = d - 1
		for (j = 1; j <= f; j++) {
			m = 0; for (k = 1; k <= n; k++) m += x[k, j]; m /= n
			s = 0; for (k = 1; k <= n; k++) s += (x[k, j] - m) ^ 2
			s = sqrt(s / n)
			for (k = 1; k <= n; k++) x[k, j] = (x[k, j] - m) / s
		}
		for (k = 1; k <= n; k++) x[k, d] = 1
		for (i = 1; i <= d; i++) for (j = 1; j <= d; j++) {
			s = 0; for (k = 1; k <= n; k++) s += x[k, i] * x[k, j]
			h[i, j] = 2 * s / n
		}
		trace = 0; for (i = 1; i <= d; i++) { v[i] = 1; trace += h[i, i] }
		for (iteration = 0; iteration < 2000; iteration++) {
			norm = 0
			for (i = 1; i <= d; i++) {
				s = 0; for (j = 1; j <= d; j++) s += h[i, j] * v[j]
				w[i] = s; norm += s * s
			}
			norm = sqrt(norm)
			for (i = 1; i <= d; i++) v[i] = w[i] / norm
		}
		printf "%.17g %.17g\n", norm, trace
	}' "$diabetes")
lambda_max=${closed_form% *}
trace=${closed_form#* }

# well_formed WHAT EPOCHS: one curvature record right after each epoch
# record, numbers in every field, lr * lambda_max consistent.
well_formed() {
	awk -F, -v number="^$number\$" -v epochs="$2" '
		$1 == "epoch" { lr = $7; want = $2; next_is = 1; epoch_count++; next }
		$1 == "curvature" {
			if (!next_is) print "a curvature record not right after an epoch record: " $0
			if ($2 != want) print "curvature epoch " $2 " after epoch record " want
			if (NF != 7) print "not 7 fields: " $0
			for (i = 3; i <= 6; i++) if ($i !~ number) print "field " i " not a number: " $0
			if ($7 !~ /^[1-9][0-9]*$/) print "products not a positive count: " $0
			if ($4 > $3 * (1 + 1e-9)) print "lambda_min above lambda_max: " $0
			if (lr != "" && (($6 - lr * $3) ^ 2) > (1e-12 * $6) ^ 2) print "lr * lambda_max: " $0
			count++; next_is = 0; next
		}
		{ next_is = 0 }
		END { if (count != epochs + 1) print count + 0 " curvature records, expected " epochs + 1 }
	' "$tmp/out" >"$tmp/problems"
	[ ! -s "$tmp/problems" ] || fail "$1: $(head -3 "$tmp/problems")"
}

# ---------------------------------------------------------------------
# lambda_max and the trace against the closed form.
run "$diabetes" -m linear --standardize -o sgd -l 0.01 -e 20 --curvature
expect_status 0 "--curvature on diabetes"
well_formed "--curvature on diabetes" 20
reported=$(awk -F, '$1 == "curvature" { l = $3 } END { print l }' "$tmp/out")
close_enough "${reported:-0}" "$lambda_max" 1e-6 ||
	fail "lambda_max $reported, closed form $lambda_max"
reported_trace=$(awk -F, '$1 == "curvature" { t = $5 } END { print t }' "$tmp/out")
close_enough "${reported_trace:-0}" "$trace" 1e-9 ||
	fail "trace $reported_trace (exact for 11 parameters), closed form $trace"
awk -F, '$1 == "curvature" && !($4 > 0) { bad = 1 } END { exit bad }' "$tmp/out" ||
	fail "lambda_min of a positive definite Hessian not positive: $(grep '^curvature' "$tmp/out" | head -2)"

# -q drops the epoch records but never the curvature records.
run "$diabetes" -m linear --standardize -e 3 --curvature -q
expect_status 0 "--curvature -q"
[ "$(grep -c '^curvature,' "$tmp/out")" -eq 4 ] || fail "--curvature -q: $(grep -c '^curvature,' "$tmp/out") curvature records, expected 4"
grep -q '^epoch,' "$tmp/out" && fail "--curvature -q: epoch records written"

# ---------------------------------------------------------------------
# 2/lambda_max is the limit of plain full-batch gradient descent.
above=$(awk -v l="$lambda_max" 'BEGIN { printf "%.17g", 1.05 * 2 / l }')
below=$(awk -v l="$lambda_max" 'BEGIN { printf "%.17g", 0.95 * 2 / l }')
run "$diabetes" -m linear --standardize -o sgd -b 0 -l "$above" -e 500 --curvature
expect_status 3 "sgd -b 0 --lr 1.05 * 2/lambda_max"
[ "$(grep -c 'lr \* lambda_max = .* > 2 at epoch 0: plain gradient descent is unstable here (try --lr below 2/lambda_max = ' "$tmp/err")" -eq 1 ] ||
	fail "sgd above the limit: no single 'lr * lambda_max' warning (stderr: $(cat "$tmp/err"))"
grep -q '^descent: warning: lr \* lambda_max' "$tmp/err" || fail "the warning does not start with 'descent: warning: '"
well_formed "sgd above the limit" "$(awk -F, '$1 == "epoch" { e = $2 } END { print e }' "$tmp/out")"

run "$diabetes" -m linear --standardize -o sgd -b 0 -l "$below" -e 500 --curvature
expect_status 0 "sgd -b 0 --lr 0.95 * 2/lambda_max"
grep -q 'warning' "$tmp/err" && fail "sgd below the limit warns: $(cat "$tmp/err")"
awk -F, '$1 == "epoch" { if (seen && $3 > last * (1 + 1e-12)) bad = 1; last = $3; seen = 1 }
	END { exit bad || !seen }' "$tmp/out" || fail "sgd below the limit: the loss does not decrease every epoch"
well_formed "sgd below the limit" 500

# adam is not plain gradient descent: no warning however large the product.
run "$diabetes" -m linear --standardize -o adam -b 0 -l 1 -e 2 --curvature
expect_status 0 "adam --curvature"
grep -q 'warning' "$tmp/err" && fail "adam warns about lr * lambda_max: $(cat "$tmp/err")"

# ---------------------------------------------------------------------
# A subsample of ROWS rows: seeded, and not the whole set.
run "$data/digits.csv" -m softmax --hidden 8 --standardize -e 2 --curvature=200
expect_status 0 "--curvature=200"
well_formed "--curvature=200" 2
grep '^curvature,' "$tmp/out" >"$tmp/first"
run "$data/digits.csv" -m softmax --hidden 8 --standardize -e 2 --curvature=200
grep '^curvature,' "$tmp/out" | cmp -s - "$tmp/first" || fail "--curvature=200 twice: different records"
run "$data/digits.csv" -m softmax --hidden 8 --standardize -e 2 --curvature=200 --seed 2
grep '^curvature,' "$tmp/out" | cmp -s - "$tmp/first" && fail "--curvature=200 --seed 2: the same records as --seed 1"
run "$data/digits.csv" -m softmax --hidden 8 --standardize -e 2 --curvature
grep '^curvature,' "$tmp/out" | cmp -s - "$tmp/first" && fail "--curvature=200: the same records as every row"

# Refusals.
run "$diabetes" --curvature=0
expect_status 64 "--curvature=0"
run "$diabetes" --curvature=x
expect_status 64 "--curvature=x"

finish
