#!/bin/sh
# input.sh - getting data in (issue 7): choosing columns, missing values,
# blank-separated files, R's row names, categorical columns, the
# diagnoses of wrong guesses, and a terminal on standard input.  One check
# per behaviour: exit status, the message on stderr, the result.
. "$top_srcdir/tests/cli/lib.sh"

printf 'id,a,b,y\nr1,1,2,3\nr2,2,1,4\nr3,3,3,7\nr4,0,1,1\n' >"$tmp/ids.csv"

# --ignore and --features choose the feature columns.
run "$tmp/ids.csv" -e 1 -q --ignore id
expect_status 0 "--ignore id"
[ "$(grep -c '^feature,' "$tmp/out")" -eq 2 ] || fail "--ignore id: expected 2 feature records"
run "$tmp/ids.csv" -e 1 -q --features b,2
expect_status 0 "--features b,2"
[ "$(grep '^feature,' "$tmp/out" | cut -d, -f3 | tr '\n' ' ')" = "b a " ] ||
	fail "--features b,2: features not b then a: $(grep '^feature,' "$tmp/out")"
run "$tmp/ids.csv" -e 1 --features a,nope
expect_status 65 "--features with an unknown name"
expect_stderr "<stdin>:1: --features: no column 'nope' (columns: id, a, b, y)" "unknown feature name"
run "$tmp/ids.csv" -e 1 --ignore 'a,,b'
expect_status 64 "malformed --ignore"
run "$tmp/ids.csv" -e 1 --ignore 1 --features a
expect_status 64 "--ignore with --features"

# The pandas index column names the fix.
printf ',a,y\n0,1,2\n1,2,3\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_status 65 "pandas index"
expect_stderr "(try --ignore 1, or write the file with index=False)" "pandas index"

# --missing: refuse (default), drop, mean; the model keeps the means.
printf 'a,b,y\n1,2,3\n2,NA,5\n3,,7\n4,4,\n5,6,11\n' >"$tmp/missing.csv"
run "$tmp/missing.csv" -e 1
expect_status 65 "missing values refused by default"
expect_stderr "<stdin>:3: column 'b': 'NA' is not a number (try --missing drop or --missing mean)" \
	"missing value refusal"
run "$tmp/missing.csv" -e 1 -q --missing drop
expect_status 0 "--missing drop"
expect_stderr "descent: dropped 3 rows with missing values" "--missing drop count"
run "$tmp/missing.csv" -e 1 -q --missing mean
expect_status 0 "--missing mean"
expect_stderr "descent: dropped 1 rows with missing values" "--missing mean drops a missing target"
grep -q '^missing,2,4$' "$tmp/out" || fail "--missing mean: no 'missing,2,4' record (mean of 2, 4, 6)"
cp "$tmp/out" "$tmp/mean.model"
printf 'a,b\n1,\n' >"$tmp/in"
run "$tmp/in" --predict "$tmp/mean.model"
expect_status 0 "prediction fills a missing value with the training mean"

# -d space: runs of blanks, quotes honoured, R's row names.
printf '"a" "b" "y"\n"1"  1 2   3\n"2" 2\t1 4\n "3" 3 3 7 \n' >"$tmp/in"
run "$tmp/in" -e 1 -q -d space
expect_status 0 "-d space with R's row names"
expect_stderr "descent: the header has one field fewer than the rows: taking the first column as row names" \
	"row names note"
run "$tmp/in" -e 1
expect_status 65 "write.table output without -d space"
expect_stderr "(try -d space)" "write.table suggests -d space"

# --categorical: one-hot columns, vocabulary in the model, unseen values counted.
printf 'a,colour,y\n1,red,1\n2,blue,2\n3,red,3\n4,Green,4\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_status 65 "text feature without --categorical"
expect_stderr "(try --categorical colour)" "text feature suggests --categorical"
run "$tmp/in" -e 1 -q --categorical colour
expect_status 0 "--categorical colour"
[ "$(grep '^category,' "$tmp/out" | tr '\n' ' ')" = "category,2,Green category,3,blue category,4,red " ] ||
	fail "--categorical: category records: $(grep '^category,' "$tmp/out")"
cp "$tmp/out" "$tmp/cat.model"
run "$tmp/in" -e 1 -q --categorical auto
expect_status 0 "--categorical auto"
printf 'colour,a\npink,1\nred,2\npink,3\n' >"$tmp/in"
run "$tmp/in" --predict "$tmp/cat.model"
expect_status 0 "prediction with an unseen category"
expect_stderr "descent: 2 values of column 'colour' were not seen in training" "unseen count"

# Wrong guesses name the option that fixes them.
printf 'a\tb\ty\n1\t2\t3\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_stderr "(try -d tab)" "tab-separated file"
printf 'a;b;y\n1;2;3\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_stderr "(try -d ';')" "semicolon-separated file"
printf 'species,a,y\nsetosa,1,2\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_stderr "(try -t 1)" "text in the first column"
printf '1.5,2,3\n2,3,4\n' >"$tmp/in"
run "$tmp/in" -e 1
expect_stderr "(try --no-header)" "a first line of numbers"
gzip -c "$data/iris.csv" >"$tmp/in"
run "$tmp/in" -e 1
expect_status 65 "gzip input"
expect_stderr "(try zcat FILE | descent ...)" "gzip input"
run "$data/iris.csv" -e 1 -m logistic
expect_stderr "(try --model softmax)" "too many classes for logistic"

# A terminal on standard input is refused, not waited on.
if command -v script >/dev/null 2>&1; then
	script -qc "\"$DESCENT\" -e 1; echo \"status \$?\"" /dev/null </dev/null >"$tmp/err" 2>&1
	grep -q "standard input is a terminal" "$tmp/err" || fail "terminal: no message: $(cat "$tmp/err")"
	grep -q "status 64" "$tmp/err" || fail "terminal: status not 64: $(cat "$tmp/err")"
fi
finish
