#!/bin/sh
# overflow.sh - values near the top of the double range (issue 10).
#
# --standardize on a column of values near +-1e308 computes its mean and
# deviation without overflow, so the model it writes reads back; --predict
# with finite but huge weights never prints inf or nan: the first row
# whose prediction is not finite ends the run with status 65 at its line.
. "$top_srcdir/tests/cli/lib.sh"

# ---------------------------------------------------------------------
# --standardize: the sum of squares of 1e308 and -1e308 overflows (the
# deviation was written as inf), and so does the sum of 1.7e308 and
# 1e308 (the mean).  Column b is ordinary and keeps its exact statistics.

printf 'a,b,y\n1e308,1,1\n-1e308,2,2\n1e300,3,3\n' >"$tmp/squares.csv"
printf 'a,b,y\n1.7e308,1,1\n-1.7e308,2,2\n-1.7e308,3,3\n1e308,4,2\n' >"$tmp/sum.csv"
for name in squares sum; do
	run "$tmp/$name.csv" --standardize -e 3 -q --save "$tmp/$name.model"
	expect_status 0 "--standardize on values near 1e308 ($name)"
	awk -F, '$1 == "feature" && ($4 !~ /^-?[0-9.]+(e[-+][0-9]+)?$/ ||
				     $5 !~ /^[0-9.]+(e[-+][0-9]+)?$/) { print }' \
		"$tmp/$name.model" >"$tmp/bad" 2>/dev/null
	[ -s "$tmp/$name.model" ] && [ ! -s "$tmp/bad" ] ||
		fail "--standardize ($name): statistics that are not finite numbers: $(cat "$tmp/bad")"
	grep -q '^feature,2,b,2\.5,1\.1180339887498949$\|^feature,2,b,2,0\.81649658092772603$' \
		"$tmp/$name.model" ||
		fail "--standardize ($name): the ordinary column's statistics changed: $(grep '^feature,2' "$tmp/$name.model")"
	run "$tmp/$name.csv" --predict "$tmp/$name.model" -q
	expect_status 0 "--predict reads back the model of $name"
	run "$tmp/$name.csv" --init "$tmp/$name.model" -e 1 -q
	expect_status 0 "--init reads back the model of $name"
done
# The deviation of 1e308, -1e308 and 1e300 is 1e308 * sqrt(2/3), near enough.
scale=$(awk -F, '$1 == "feature" && $2 == 1 { print $5 }' "$tmp/squares.model")
close_enough "${scale:-0}" 8.1649658092772603e307 1e-12 ||
	fail "--standardize: deviation of 1e308, -1e308, 1e300 is $scale, expected 8.16497e+307"
mean=$(awk -F, '$1 == "feature" && $2 == 1 { print $4 }' "$tmp/sum.model")
close_enough "${mean:-0}" -1.75e307 1e-12 ||
	fail "--standardize: mean of 1.7e308, -1.7e308, -1.7e308, 1e308 is $mean, expected -1.75e307"

# ---------------------------------------------------------------------
# --predict: every weight of a saved relu network set to 1e300.  The
# hidden units reach about 1e302, the output overflows to inf (or nan).

diabetes=$data/diabetes.csv
run "$diabetes" -m linear --hidden 3 --standardize -l 0.0001 -e 1 -q --save "$tmp/network.csv"
expect_status 0 "a linear network on diabetes"
sed 's/^\(weight,[0-9]*,[0-9]*,[0-9]*\),.*/\1,1e300/' "$tmp/network.csv" >"$tmp/huge.csv"
grep -q '^weight,2,1,1,1e300$' "$tmp/huge.csv" || fail "test setup: no weights set to 1e300"

run "$diabetes" --predict "$tmp/huge.csv"
expect_status 65 "--predict with weights of 1e300"
expect_stderr "<stdin>:2: the prediction for this row is not finite" \
	"--predict with weights of 1e300 names the first row"
bad=$(sed 1d "$tmp/out" | grep -v -E '^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$' | head -3)
[ -z "$bad" ] || fail "--predict printed predictions that are not numbers: $bad"
grep -q 'rmse' "$tmp/err" && fail "--predict reported metrics of non-finite predictions"

# Rows before the first overflowing one are printed; its line is named.
# A first row at the model's feature means standardises to zeros: every
# hidden unit is then its bias alone and the prediction is finite.
{
	head -n 1 "$diabetes"
	awk -F, '$1 == "feature" { printf "%s%s", sep, $4; sep = "," } END { print ",0" }' \
		"$tmp/huge.csv"
	sed -n 2,3p "$diabetes"
} >"$tmp/finite_first.csv"
run "$tmp/finite_first.csv" --predict "$tmp/huge.csv" -q
expect_status 65 "--predict with a finite first row"
expect_stderr "<stdin>:3: the prediction for this row is not finite" \
	"--predict names the line of the first non-finite prediction"
[ "$(wc -l <"$tmp/out")" -eq 1 ] ||
	fail "--predict wrote $(wc -l <"$tmp/out") lines before the row that overflows, expected 1"
bad=$(grep -v -E '^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$' "$tmp/out" | head -3)
[ -z "$bad" ] || fail "--predict printed a prediction that is not a number: $bad"

# A classifier: the logits overflow; neither the label nor probabilities print.
run "$data/breast_cancer.csv" -m logistic --hidden 3 --standardize -e 1 -q \
	--save "$tmp/classifier.csv"
expect_status 0 "a logistic network on breast_cancer"
sed 's/^\(weight,[0-9]*,[0-9]*,[0-9]*\),.*/\1,1e300/' "$tmp/classifier.csv" \
	>"$tmp/huge_classifier.csv"
run "$data/breast_cancer.csv" --predict "$tmp/huge_classifier.csv" -q
expect_status 65 "--predict with a classifier of weights 1e300"
expect_stderr "<stdin>:2: the prediction for this row is not finite" "classifier"
expect_no_stdout "--predict with a classifier of weights 1e300 (first row)"
run "$data/breast_cancer.csv" --predict "$tmp/huge_classifier.csv" -q --probabilities
expect_status 65 "--predict --probabilities with weights 1e300"
expect_no_stdout "--predict --probabilities with weights 1e300 (first row)"

finish
