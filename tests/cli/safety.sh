#!/bin/sh
# safety.sh - safer runs: an unusable --save fails at once, divergence is
# caught before the numbers overflow and its message fits the run, options
# that do not apply are reported, and misspelt names get a suggestion.
. "$top_srcdir/tests/cli/lib.sh"

cancer=$data/breast_cancer.csv
diabetes=$data/diabetes.csv
number='-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?'

# ---------------------------------------------------------------------
# --save that cannot be created: exit 73 before reading or training.

run "$diabetes" --save /nonexistent/m.model
expect_status 73 "--save /nonexistent/m.model"
expect_no_stdout "--save /nonexistent/m.model"
expect_stderr "/nonexistent/m.model" "--save failure names the file"
# Before the data is even read: bad data would otherwise give 65.
printf 'x,y\n1,oops\n' >"$tmp/bad.csv"
run "$tmp/bad.csv" --save /nonexistent/m.model
expect_status 73 "--save /nonexistent/m.model checked before the data"
mkdir "$tmp/directory"
run "$diabetes" --save "$tmp/directory"
expect_status 73 "--save naming a directory"
expect_no_stdout "--save naming a directory"
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/locked" && chmod a-w "$tmp/locked"
	run "$diabetes" --save "$tmp/locked/m.model"
	expect_status 73 "--save into a read-only directory"
fi

# ---------------------------------------------------------------------
# Divergence: the loss more than 1000 times its lowest, two epochs in a
# row, stops the run before anything overflows.

run "$diabetes" -m linear -o sgd -l 10 -b 0 -e 50
expect_status 3 "sgd -l 10 full batch"
expect_stderr "1000 times the lowest" "the growth rule is named"
grep -q -i -E '^epoch,.*(nan|inf)' "$tmp/out" && fail "an epoch record is not finite"
awk -F, '$1 == "epoch" { loss[$2] = $3; last = $2 }
	END {
		lowest = loss[0]
		for (e = 1; e <= last - 2; e++) if (loss[e] < lowest) lowest = loss[e]
		if (!(loss[last - 1] > 1000 * lowest && loss[last] > 1000 * lowest))
			print "the last two losses " loss[last - 1] ", " loss[last] " are not 1000 times " lowest
		for (e = 1; e < last - 1; e++) if (loss[e] > 1000 * lowest && loss[e + 1] > 1000 * lowest)
			print "epochs " e " and " e + 1 " already broke the rule"
	}' "$tmp/out" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "growth rule: $(cat "$tmp/problems")"
[ "$(grep -c '^epoch,' "$tmp/out")" -lt 10 ] || fail "the run went on for $(grep -c '^epoch,' "$tmp/out") epochs"

# Unscaled features (standard deviations 0.003 to 350): suggest --standardize.
run "$cancer" -m linear -t 1 -o sgd -l 0.01 -b 0 -e 50
expect_status 3 "linear on raw breast_cancer"
expect_stderr "try --standardize first" "scale hint"
run "$diabetes" -m linear -o sgd -l 10 -b 0 -e 50 --standardize
expect_status 3 "standardised diabetes with lr 10"
grep -q -- "--standardize first" "$tmp/err" && fail "--standardize suggested to a standardised run"

# The step size stated is the one in force (warm-up), not --lr.
run "$diabetes" -m linear -o sgd -l 1 -b 0 -e 50 --warmup 100
expect_status 3 "sgd with warm-up to lr 1"
stated=$(sed -n -E "s/.*step size then: ($number).*/\\1/p" "$tmp/err")
in_force=$(awk -F, '$1 == "epoch" { lr = $7 } END { print lr }' "$tmp/out")
close_enough "${stated:-0}" "$in_force" 1e-5 ||
	fail "stated step size '$stated', the step size in force was $in_force"
[ "$stated" != 1 ] || fail "the message states --lr, not the step size in force"

# ---------------------------------------------------------------------
# Options that do not apply: a warning, and the run goes on.

# warns EXPECTED ARGS...: exit 0 and exactly this warning on stderr.
warns() {
	expected=$1
	shift
	run "$diabetes" --standardize -e 1 -q "$@"
	expect_status 0 "$*"
	[ "$(cat "$tmp/err")" = "$expected" ] ||
		fail "$*: stderr '$(cat "$tmp/err")', expected '$expected'"
}
warns "descent: warning: --beta1 does not apply to sgd (ignored)" --beta1 0.8
warns "descent: warning: --momentum does not apply to adam (ignored)" -o adam --momentum 0.5
warns "descent: warning: --rho does not apply to adam (ignored)" -o adam --rho 0.5
warns "descent: warning: --history does not apply to momentum (ignored)" -o momentum --history 3
warns "descent: warning: --eps does not apply to sgd (ignored)" --eps 1e-6
warns "descent: warning: --batch-size does not apply to lbfgs (ignored)" -o lbfgs -b 16
warns "descent: warning: --lr does not apply to the cyclic schedule, which sets its own step sizes (ignored)" \
	-l 0.1 --schedule cyclic:0.001:0.01:10
warns "" -o momentum --momentum 0.5
warns "" -o adam --beta1 0.8 --beta2 0.99 --eps 1e-6
warns "" -o lbfgs --history 5

run "$diabetes" --standardize -e 1 -q --save "$tmp/model.csv"
run "$diabetes" --predict "$tmp/model.csv" -q -e 5 -o adam
expect_status 0 "--predict with training options"
expect_stderr "descent: warning: --epochs does not apply to --predict (ignored)" "--predict -e"
expect_stderr "descent: warning: --optimizer does not apply to --predict (ignored)" "--predict -o"

# ---------------------------------------------------------------------
# Misspelt names: the closest spelling.

run "$diabetes" --standardise
expect_status 64 "--standardise"
[ "$(head -n 1 "$tmp/err")" = "descent: unrecognized option '--standardise' (did you mean '--standardize'?)" ] ||
	fail "--standardise: stderr '$(head -n 1 "$tmp/err")'"
run "$diabetes" --epohcs=3
expect_stderr "(did you mean '--epochs'?)" "--epohcs=3"
run "$diabetes" --frobnicate
expect_status 64 "--frobnicate"
grep -q "did you mean" "$tmp/err" && fail "--frobnicate: a suggestion for a word like no option: $(cat "$tmp/err")"
run "$diabetes" -o adm
expect_status 64 "-o adm"
expect_stderr "unknown optimizer 'adm'; did you mean 'adam'?" "-o adm"
run "$diabetes" -m softmx
expect_stderr "unknown model 'softmx'; did you mean 'softmax'?" "-m softmx"

finish
