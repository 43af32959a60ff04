#!/bin/sh
# overflow.sh - values near the top of the double range (issue 10).
#
# --standardize on a column of values near +-1e308 computes its mean and
# deviation without overflow, so the model it writes reads back.
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

finish
