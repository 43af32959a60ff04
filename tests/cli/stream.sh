#!/bin/sh
# stream.sh - --stream trains in one pass over standard input in constant
# memory.
#
# A stream in file order (--shuffle-buffer 0) takes the very steps of a
# one-epoch run without shuffling: the same weights bit for bit.  Progress
# records come every --report-every rows and once at the end; the shuffle
# buffer is seeded; classifiers need --classes or --init, and unknown
# labels are refused at their line after the records so far; options that
# need the data twice are refused with 64; peak memory does not grow with
# the stream (skipped without /usr/bin/time).
. "$top_srcdir/tests/cli/lib.sh"

cancer=$data/breast_cancer.csv
diabetes=$data/diabetes.csv

# model FILE: the weight and bias records.
model() {
	grep -E '^(weight|bias),' "$1"
}

# --- the same steps as an in-memory epoch without shuffling
for args in "-m linear -b 16" "-m linear -b 300 -o adam --lr 0.05" \
	    "-m linear -b 7 --hidden 5 --activation tanh --weight-decay 0.01 -o momentum" \
	    "-m linear -b 10 --rotate --warmup 20"; do
	# shellcheck disable=SC2086
	run "$diabetes" --no-shuffle -e 1 $args
	expect_status 0 "in memory: $args"
	model "$tmp/out" >"$tmp/memory"
	# shellcheck disable=SC2086
	run "$diabetes" --stream --shuffle-buffer 0 $args
	expect_status 0 "stream: $args"
	model "$tmp/out" >"$tmp/streamed"
	[ -s "$tmp/memory" ] && cmp -s "$tmp/memory" "$tmp/streamed" ||
		fail "stream in file order differs from --no-shuffle -e 1 ($args)"
	grep -qx 'status,completed,1' "$tmp/out" || fail "stream status ($args)"
done
run "$cancer" --no-shuffle -e 1 -m logistic -b 32
model "$tmp/out" >"$tmp/memory"
run "$cancer" --stream -m logistic --classes 1,0 -b 32
expect_status 0 "logistic stream with --classes"
model "$tmp/out" >"$tmp/streamed"
cmp -s "$tmp/memory" "$tmp/streamed" || fail "logistic stream differs from the epoch in memory"
grep -qx 'class,0,0' "$tmp/out" && grep -qx 'class,1,1' "$tmp/out" ||
	fail "--classes 1,0 are not sorted as the reader sorts them"

# --- progress records: every N rows (at the step that reaches N) and at the end
run "$diabetes" --stream -b 10 --report-every 100
expect_status 0 "report every 100"
rows=$(awk -F, '$1 == "progress" { printf "%s ", $2 }' "$tmp/out")
[ "$rows" = "100 200 300 400 442 " ] || fail "progress rows: '$rows'"
grep -q '^# kind,rows,progressive_loss,progressive_accuracy,lr,seconds$' "$tmp/out" ||
	fail "progress legend missing"
awk -F, '$1 == "progress" && ($3 + 0 <= 0 || $4 != "" || $5 != 0.01) { bad = 1 }
	END { exit bad }' "$tmp/out" || fail "progress fields: $(grep progress "$tmp/out")"
run "$diabetes" --stream --report-every 0
[ "$(grep -c '^progress,442,' "$tmp/out")" = 1 ] && [ "$(grep -c '^progress' "$tmp/out")" = 1 ] ||
	fail "--report-every 0: one record at the end"
run "$cancer" --stream -m logistic --classes 0,1 -q
[ "$(grep -c '^progress\|^#' "$tmp/out")" = 0 ] || fail "-q still writes records"
run "$cancer" --stream -m logistic --classes 0,1 --report-every 100 --log "$tmp/log"
expect_status 0 "--log"
head -1 "$tmp/log" | grep -qx 'rows,progressive_loss,progressive_accuracy,lr,seconds' &&
	[ "$(wc -l <"$tmp/log")" -eq 6 ] || fail "--log table: $(cat "$tmp/log")"

# --- the shuffle buffer: seeded, and it shuffles
run "$diabetes" --stream --shuffle-buffer 50 -s 3
model "$tmp/out" >"$tmp/a"
run "$diabetes" --stream --shuffle-buffer 50 -s 3
model "$tmp/out" >"$tmp/b"
run "$diabetes" --stream --shuffle-buffer 50 -s 4
model "$tmp/out" >"$tmp/c"
run "$diabetes" --stream --shuffle-buffer 0 -s 3
model "$tmp/out" >"$tmp/d"
cmp -s "$tmp/a" "$tmp/b" || fail "same seed, different stream runs"
cmp -s "$tmp/a" "$tmp/c" && fail "the seed does not change the shuffle"
cmp -s "$tmp/a" "$tmp/d" && fail "--shuffle-buffer 50 trains as file order"

# --- --init: its statistics, architecture and classes
head -200 "$cancer" >"$tmp/sample.csv"
run "$tmp/sample.csv" -m logistic --standardize -e 0 -q --save "$tmp/init.model"
expect_status 0 "the sample model"
run "$cancer" --stream --init "$tmp/init.model" -b 8
expect_status 0 "stream from --init"
grep -q '^progress,569,' "$tmp/out" || fail "stream from --init: no last record"
awk -F, '$1 == "progress" && $4 < 0.8 { bad = 1 } END { exit bad }' "$tmp/out" ||
	fail "stream from standardised --init learns little: $(grep progress "$tmp/out")"

# --- errors are met in the stream, after the records so far
awk 'NR <= 400' "$cancer" >"$tmp/bad.csv"
awk -F, 'NR == 2 { $NF = "maybe"; OFS = ","; print }' "$cancer" | tr ' ' ',' >>"$tmp/bad.csv"
run "$tmp/bad.csv" --stream -m logistic --classes 0,1 --report-every 100
expect_status 65 "unknown label"
expect_stderr "<stdin>:401: class 'maybe' is not known" "unknown label's line"
[ "$(grep -c '^progress' "$tmp/out")" -ge 3 ] || fail "records before the error are missing"
grep -q '^status' "$tmp/out" && fail "a failed stream wrote a model"

# --- refusals: what needs the data twice, or all of it first
refuse() {
	what=$1 text=$2
	shift 2
	run "$diabetes" "$@"
	expect_status 64 "$what"
	expect_stderr "$text" "$what"
	expect_no_stdout "$what"
}
refuse "epochs" "--epochs must be 1" --stream -e 3
refuse "holdout" "--holdout keeps rows aside" --stream --holdout 0.2
refuse "validation" "--validation evaluates" --stream --validation "$diabetes"
refuse "lbfgs" "lbfgs needs the full-batch objective" --stream -o lbfgs
refuse "curvature" "--curvature" --stream --curvature
refuse "landscape" "--landscape" --stream --landscape line
refuse "lr-find" "--lr-find" --stream --lr-find
refuse "patience" "--patience" --stream --patience 2
refuse "save-state" "--save-state" --stream --save "$tmp/m" --save-state
refuse "standardize" "--standardize needs the column statistics" --stream --standardize
refuse "missing mean" "--missing mean" --stream --missing mean
refuse "categorical" "--categorical needs every value" --stream --categorical 1
refuse "full batch" "--batch-size 0" --stream -b 0
refuse "cosine" "the cosine schedule" --stream --schedule cosine
refuse "no classes" "needs its classes" --stream -m logistic
refuse "one class" "at least 2" --stream -m logistic --classes 1
refuse "classes of a regression" "not a classifier" --stream --classes 1,2
refuse "classes with init" "--classes conflicts with --init" --stream --init "$tmp/init.model" --classes 0,1
refuse "buffer without stream" "--shuffle-buffer needs --stream" --shuffle-buffer 10
refuse "no-shuffle and a buffer" "conflicts" --stream --no-shuffle --shuffle-buffer 10

# --- peak memory does not grow with the stream
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	peak() {
		awk -v n="$1" 'BEGIN { srand(1); print "a,b,c,y"
			for (i = 0; i < n; i++) printf "%.6g,%.6g,%.6g,%.6g\n", rand(), rand(), rand(), rand() }' |
			/usr/bin/time -o "$tmp/rss" -f %M "$DESCENT" --stream -q --shuffle-buffer 1000 \
			>"$tmp/out" 2>"$tmp/err" || fail "memory run of $1 rows: $(cat "$tmp/err")"
		cat "$tmp/rss"
	}
	# The peak of a 3 MB process moves by a few hundred kB from run to run
	# (allocator and page timing), so the bound is 10% plus 512 kB: holding
	# the rows would add 32 bytes per row, about 30 MB for the 900,000 more.
	small=$(peak 100000)
	large=$(peak 1000000)
	awk -v s="$small" -v l="$large" 'BEGIN { exit !(l <= 1.1 * s + 512) }' ||
		fail "peak memory grows: ${small}kB for 100000 rows, ${large}kB for 1000000"
else
	echo "stream.sh: /usr/bin/time missing: memory constancy not checked" >&2
fi

finish
