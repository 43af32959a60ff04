#!/bin/sh
# landscape.sh - --landscape line and plane slices, and the --lr-find range test.
. "$top_srcdir/tests/cli/lib.sh"

# field KIND N FILE: field N of the first KIND record.
field() {
	awk -F, -v kind="$1" -v n="$2" '$1 == kind { print $n; exit }' "$3"
}

# --- plane: 21 x 21 records in 21 blocks, for gnuplot's splot -------------

run "$data/digits.csv" -m softmax --hidden 16 --standardize -e 2 --landscape plane:21
expect_status 0 "--landscape plane:21"
cp "$tmp/out" "$tmp/plane"
count=$(grep -c '^plane,' "$tmp/plane")
[ "$count" -eq 441 ] || fail "plane:21 wrote $count plane records, expected 441"
# Blocks of consecutive plane records, each followed by a blank line.
blocks=$(awk -F, '/^plane,/ { n++; next } /^$/ { if (n) print n; n = 0 }' "$tmp/plane" |
	 sort | uniq -c | awk '{ print $1 "x" $2 }')
[ "$blocks" = "21x21" ] || fail "plane:21 blocks: '$blocks', expected 21 blocks of 21"
# The grid runs from -1 to 1 in both coordinates; its centre is the final weights.
[ "$(field plane 2 "$tmp/plane")" = "-1" ] && [ "$(field plane 3 "$tmp/plane")" = "-1" ] ||
	fail "plane grid does not start at -1,-1: $(grep -m1 '^plane,' "$tmp/plane")"
[ "$(grep '^plane,' "$tmp/plane" | tail -n 1 | cut -d, -f2,3)" = "1,1" ] ||
	fail "plane grid does not end at 1,1"
centre=$(awk -F, '$1 == "plane" && $2 == 0 && $3 == 0 { print $4 }' "$tmp/plane")
final=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/plane")
close_enough "$centre" "$final" 1e-12 ||
	fail "plane loss at 0,0 ($centre) is not the final training loss ($final)"
# The records sit between the last epoch record and the status record.
order=$(awk -F, 'NF && $1 !~ /^#/ && $1 != prev { printf "%s ", $1; prev = $1 }' "$tmp/plane" |
	cut -d' ' -f1-3)
[ "$order" = "epoch plane status" ] || fail "record order: '$order'"
# A model reader skips them, blank lines and all.
"$DESCENT" --predict "$tmp/plane" <"$data/digits.csv" >"$tmp/predicted" 2>"$tmp/err"
status=$?
expect_status 0 "--predict on a stdout with plane records"
[ "$(wc -l <"$tmp/predicted")" -eq 1798 ] || fail "--predict on plane output: wrong row count"
# Determinism by seed; another seed draws other directions.
run "$data/digits.csv" -m softmax --hidden 16 --standardize -e 2 --landscape plane:21 -q
grep -v '^epoch,' "$tmp/plane" | grep -v '^#' | cmp -s - "$tmp/out" ||
	fail "plane records differ between two runs with the same seed (or -q dropped them)"
run "$data/digits.csv" -m softmax --hidden 16 --standardize -e 2 --landscape plane:5:0.5 -s 2 -q
[ "$(grep -c '^plane,' "$tmp/out")" -eq 25 ] || fail "plane:5:0.5 wrote other than 25 records"
[ "$(field plane 2 "$tmp/out")" = "-0.5" ] || fail "plane:5:0.5 does not start at -0.5"

# --- line: N points from alpha -0.5 to 1.5 ---------------------------------

run "$data/breast_cancer.csv" -m logistic --standardize -e 5 --landscape line:41
expect_status 0 "--landscape line:41"
cp "$tmp/out" "$tmp/line"
[ "$(grep -c '^line,' "$tmp/line")" -eq 41 ] || fail "line:41 wrote other than 41 records"
[ "$(field line 2 "$tmp/line")" = "-0.5" ] || fail "line does not start at alpha -0.5"
[ "$(grep '^line,' "$tmp/line" | tail -n 1 | cut -d, -f2)" = "1.5" ] ||
	fail "line does not end at alpha 1.5"
[ -z "$(field line 4 "$tmp/line")" ] || fail "line VAL_LOSS is not empty without validation"
at_one=$(awk -F, '$1 == "line" && $2 == 1 { print $3 }' "$tmp/line")
at_zero=$(awk -F, '$1 == "line" && $2 == 0 { print $3 }' "$tmp/line")
epoch0=$(awk -F, '$1 == "epoch" && $2 == 0 { print $3 }' "$tmp/line")
epoch5=$(awk -F, '$1 == "epoch" && $2 == 5 { print $3 }' "$tmp/line")
close_enough "$at_one" "$epoch5" 1e-12 ||
	fail "line loss at alpha 1 ($at_one) is not the final training loss ($epoch5)"
close_enough "$at_zero" "$epoch0" 1e-12 ||
	fail "line loss at alpha 0 ($at_zero) is not the epoch-0 loss ($epoch0)"
# Default N, validation losses, both slices from one comma list, and -q.
run "$data/breast_cancer.csv" -m logistic --standardize -e 2 --holdout 0.2 -q \
	--landscape line,plane:3
expect_status 0 "--landscape line,plane:3"
[ "$(grep -c '^line,' "$tmp/out")" -eq 51 ] || fail "line wrote other than 51 records by default"
[ "$(grep -c '^plane,' "$tmp/out")" -eq 9 ] || fail "plane:3 wrote other than 9 records"
[ -n "$(field line 4 "$tmp/out")" ] || fail "line VAL_LOSS is empty with --holdout"
! grep -q '^epoch,\|^#' "$tmp/out" || fail "-q kept epoch records or comments"

# --- usage errors ----------------------------------------------------------

for spec in circle line:1 line:x line:41:2 plane:0 plane:21:0 plane:21:-1 plane:x 'line,' ''; do
	run "$data/iris.csv" -m softmax --landscape "$spec"
	expect_status 64 "--landscape '$spec'"
	expect_no_stdout "--landscape '$spec'"
	expect_stderr "invalid --landscape" "--landscape '$spec'"
done
for spec in 0:1 1 1:1 2:1 -1:1 1e-6:inf; do
	run "$data/iris.csv" -m softmax "--lr-find=$spec"
	expect_status 64 "--lr-find=$spec"
	expect_no_stdout "--lr-find=$spec"
done
run "$data/iris.csv" -m softmax -o lbfgs --lr-find
expect_status 64 "--lr-find with lbfgs"
expect_stderr "lbfgs" "--lr-find with lbfgs"
run "$data/iris.csv" -m softmax --lr-find --save "$tmp/model"
expect_status 64 "--lr-find with --save"
[ ! -e "$tmp/model" ] || fail "--lr-find --save created the file"
run "$data/iris.csv" -m softmax --lr-find --landscape line
expect_status 64 "--lr-find with --landscape"
run "$data/iris.csv" --predict "$tmp/line" --landscape line
expect_status 64 "--predict with --landscape"

# --- lr-find: the curve, the suggestion, and the suggestion works ------------

run "$data/breast_cancer.csv" -m logistic --standardize -o sgd --lr-find
expect_status 0 "--lr-find"
cp "$tmp/out" "$tmp/lrfind"
[ "$(grep -c '^lrfind,' "$tmp/lrfind")" -ge 20 ] || fail "--lr-find wrote too few records"
! grep -v '^#\|^lrfind,' "$tmp/lrfind" | grep -q . ||
	fail "--lr-find stdout holds other than comments and lrfind records"
[ "$(field lrfind 2 "$tmp/lrfind")" = 1 ] && [ "$(field lrfind 3 "$tmp/lrfind")" = 1e-07 ] ||
	fail "--lr-find does not start at step 1, lr 1e-07"
# 569 rows in batches of 32: 18 steps an epoch, so 6 epochs and 108 steps.
expect_stderr "108 steps over 6 epochs" "--lr-find on 18 steps an epoch"
suggested=$(sed -n 's/.*(try --lr \([^)]*\)).*/\1/p' "$tmp/err")
[ -n "$suggested" ] || fail "--lr-find suggests no step size: $(cat "$tmp/err")"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -e 10 --lr "$suggested"
expect_status 0 "10 epochs at the suggested step size $suggested"
with_suggested=$(awk -F, '$1 == "epoch" && $2 == 10 { print $3 }' "$tmp/out")
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -e 10 --lr 0.001
with_small=$(awk -F, '$1 == "epoch" && $2 == 10 { print $3 }' "$tmp/out")
awk -v a="$with_suggested" -v b="$with_small" 'BEGIN { exit !(a < b) }' ||
	fail "--lr $suggested reached $with_suggested after 10 epochs, not below --lr 0.001's $with_small"
# -q: the records alone, the same ones; an explicit range.
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd --lr-find -q
grep '^lrfind,' "$tmp/lrfind" | cmp -s - "$tmp/out" ||
	fail "--lr-find -q differs from the records of --lr-find (or is not deterministic)"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd --lr-find=1e-4:1 -q
[ "$(field lrfind 3 "$tmp/out")" = 0.0001 ] || fail "--lr-find=1e-4:1 does not start at 1e-4"
# Fewer than 100 steps an epoch: ceil(100 / steps) epochs (iris: 5 steps, 20 epochs).
run "$data/iris.csv" -m softmax --standardize --lr-find -q
expect_stderr "over 20 epochs" "--lr-find on 5 steps an epoch"
last=$(grep '^lrfind,' "$tmp/out" | tail -n 1 | cut -d, -f2)
[ "$last" -le 100 ] || fail "--lr-find on iris ran $last steps, more than 100"
# A step size that blows up stops the pass early.
run "$data/digits.csv" -m softmax --hidden 16 --standardize --lr-find -q
expect_stderr "stopped" "--lr-find past divergence"

finish
