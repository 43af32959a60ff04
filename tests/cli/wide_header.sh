#!/bin/sh
# wide_header.sh - a header of 100,000 columns is matched in linear time
# (issue 10): training checks that the names are distinct, --predict finds
# each of the model's 100,000 features in the header by name.  A pairwise
# comparison took about 15 s for each (30 s on a loaded machine); with
# the hash index both take well under a second.  The bound is generous so
# that a busy machine does not fail the test, yet far below the quadratic
# time.
. "$top_srcdir/tests/cli/lib.sh"

columns=100000
bound=10

# 100,000 features f1..f100000 and a target y; three rows.  Each field is
# printed as it comes: building a line of a megabyte by concatenation is
# quadratic in mawk.
awk -v n="$columns" 'BEGIN {
	for (i = 1; i <= n; i++) printf "f%d,", i
	print "y"
	for (r = 1; r <= 3; r++) {
		printf "%d", r % 7
		for (i = 2; i <= n; i++) printf ",%d", (i * r) % 10
		print "," r
	}
}' >"$tmp/wide.csv"

# seconds COMMAND...: run COMMAND (stdin, stdout and stderr as the
# caller redirects them), leaving $status and $elapsed, the wall-clock
# seconds with two decimals.
seconds() {
	start=$(date +%s.%N)
	"$@"
	status=$?
	stop=$(date +%s.%N)
	elapsed=$(awk -v a="$start" -v b="$stop" 'BEGIN { printf "%.2f", b - a }')
}

seconds "$DESCENT" -e 1 -q --save "$tmp/model.csv" <"$tmp/wide.csv" >"$tmp/out" 2>"$tmp/err"
expect_status 0 "training on $columns columns"
[ "$(grep -c '^feature,' "$tmp/model.csv" 2>/dev/null)" = "$columns" ] ||
	fail "the model of $columns columns has $(grep -c '^feature,' "$tmp/model.csv" 2>/dev/null) feature records"
awk -v t="$elapsed" -v b="$bound" 'BEGIN { exit !(t < b) }' ||
	fail "training on a header of $columns columns took $elapsed s (bound $bound s)"
echo "training, $columns columns: $elapsed s"

# The columns in reverse order: every feature is found by its name.
awk -F, '{
	for (i = NF; i > 1; i--) printf "%s,", $i
	print $1
}' "$tmp/wide.csv" >"$tmp/reversed.csv"
seconds "$DESCENT" --predict "$tmp/model.csv" -q <"$tmp/wide.csv" >"$tmp/predictions" 2>"$tmp/err"
expect_status 0 "--predict with $columns features"
awk -v t="$elapsed" -v b="$bound" 'BEGIN { exit !(t < b) }' ||
	fail "--predict with $columns features took $elapsed s (bound $bound s)"
echo "--predict, $columns features: $elapsed s"
seconds "$DESCENT" --predict "$tmp/model.csv" -q <"$tmp/reversed.csv" >"$tmp/out" 2>"$tmp/err"
expect_status 0 "--predict with $columns features in reverse order"
awk -v t="$elapsed" -v b="$bound" 'BEGIN { exit !(t < b) }' ||
	fail "--predict with $columns reversed features took $elapsed s (bound $bound s)"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict on the reversed columns gives other predictions"
[ "$(wc -l <"$tmp/predictions")" -eq 3 ] ||
	fail "--predict wrote $(wc -l <"$tmp/predictions") lines for 3 rows"

# A name twice among 100,000 is still found, with the column to ignore.
sed '1s/,f99999,/,f7,/' "$tmp/wide.csv" >"$tmp/twice.csv"
seconds "$DESCENT" -e 1 -q <"$tmp/twice.csv" >"$tmp/out" 2>"$tmp/err"
expect_status 65 "a repeated name among $columns columns"
expect_stderr "<stdin>:1: column name 'f7' appears twice in the header (try --ignore 99999)" \
	"repeated name among $columns columns"
awk -v t="$elapsed" -v b="$bound" 'BEGIN { exit !(t < b) }' ||
	fail "refusing a repeated name among $columns columns took $elapsed s (bound $bound s)"
seconds "$DESCENT" --predict "$tmp/model.csv" -q <"$tmp/twice.csv" >"$tmp/out" 2>"$tmp/err"
expect_status 65 "--predict on a header naming f7 twice"
expect_stderr "column name 'f7' appears twice in the header" "--predict, repeated name"

finish
