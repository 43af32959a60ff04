#!/bin/sh
# comment_quoting.sh - the configuration comment is one line, and says
# exactly which files, columns and delimiter the run was given (issue 10).
#
# Names go in as single shell words: 'name' when plain, $'...' with C
# escapes when they hold a control character, a quote or a backslash.
# bash reads such a word back as the name itself.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv
# A directory whose name holds a newline, a quote and a backslash.
odd="$tmp/a
b'c\\d"
mkdir "$odd"
"$DESCENT" -q -e 0 <"$diabetes" >"$odd/m.model" || fail "making the model to start from"

run "$diabetes" --init "$odd/m.model" -e 0
expect_status 0 "--init with a newline in its path"
[ "$(grep -c '^#' "$tmp/out")" -eq 2 ] ||
	fail "--init with a newline in its path: $(grep -c '^#' "$tmp/out") comment lines, expected 2"
grep -v '^#' "$tmp/out" | grep -v -q -E '^(epoch|status|format|model|layer|target|feature|weight|bias|end),' &&
	fail "--init with a newline in its path: a line that is neither a comment nor a record"
grep -q -F -- "--init \$'$tmp/a\\nb\\'c\\\\d/m.model'" "$tmp/out" ||
	fail "--init with a newline in its path: not escaped in the comment: $(head -n 1 "$tmp/out")"
# The word reads back as the path (where bash is there to read it).
if command -v bash >/dev/null 2>&1; then
	word=$(sed -n "1s/.* --init \\(\\\$'.*'\\) --target .*/\\1/p" "$tmp/out")
	back=$(bash -c "printf '%s' $word")
	[ "$back" = "$odd/m.model" ] || fail "bash reads the --init word back as '$back'"
fi

# A plain name stays in plain quotes.
run "$diabetes" --init "$odd/m.model" --validation "$diabetes" -e 0
grep -q -F -- "--validation '$diabetes'" "$tmp/out" ||
	fail "a plain path is not in plain quotes: $(head -n 1 "$tmp/out")"

# The delimiter, a quote here, is a shell word too.
tr ',' "'" <"$diabetes" >"$tmp/quote.csv"
run "$tmp/quote.csv" -d "'" -e 0
expect_status 0 "-d \"'\""
grep -q -F -- "--delimiter \$'\\''" "$tmp/out" ||
	fail "-d \"'\": the comment does not escape the quote: $(head -n 1 "$tmp/out")"
finish
