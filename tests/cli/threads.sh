#!/bin/sh
# threads.sh - --threads changes how fast, never what: the reading thread
# (a pipe, or a file of 2 MiB or more), the products of wide layers and
# the epoch's evaluation over the pool give the same records, weights and
# messages as one thread, bit for bit (only the seconds field differs).
. "$top_srcdir/tests/cli/lib.sh"

# Everything but each epoch record's seconds (its last field).
strip_seconds() {
	awk -F, -v OFS=, '$1 == "epoch" { NF = NF - 1 } { print }' "$1"
}

# same NAME FILE1 FILE2: the two runs agree.
same() {
	strip_seconds "$2" >"$tmp/a"
	strip_seconds "$3" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" || fail "$1: outputs differ: $(diff "$tmp/a" "$tmp/b" | head -4)"
}

# 3 MB of rows: read on two threads from a pipe and from the file, one
# from the pipe with --threads 1.
awk 'BEGIN { srand(7); printf "a,b,c,d,e,label\n"
	for (i = 0; i < 60000; i++) {
		a = rand() * 4 - 2; b = rand(); c = rand() * 100; d = int(rand() * 9); e = rand() - 0.5
		printf "%.6g,%.5g,%.7g,%d,%.4g,%s\n", a, b, c, d, e, (a + 3 * e + rand() > 0.6) ? "yes" : "no"
	} }' >"$tmp/rows.csv"
options="-m logistic -o adam -l 0.01 -b 32 -e 3 --standardize --holdout 0.25"

# shellcheck disable=SC2086
"$DESCENT" $options --threads 1 <"$tmp/rows.csv" >"$tmp/one" 2>"$tmp/err" ||
	fail "one thread: $(cat "$tmp/err")"
for threads in 2 3; do
	# shellcheck disable=SC2086
	cat "$tmp/rows.csv" | "$DESCENT" $options --threads "$threads" >"$tmp/pipe" 2>"$tmp/err" ||
		fail "pipe, $threads threads: $(cat "$tmp/err")"
	same "pipe, $threads threads" "$tmp/one" "$tmp/pipe"
	# shellcheck disable=SC2086
	"$DESCENT" $options --threads "$threads" <"$tmp/rows.csv" >"$tmp/file" 2>"$tmp/err" ||
		fail "file, $threads threads: $(cat "$tmp/err")"
	same "file, $threads threads" "$tmp/one" "$tmp/file"
done
grep -q '^epoch,3,' "$tmp/one" || fail "one thread: no epoch 3 record"

# A network (products on the pool, evaluation split over batches).
net="-m softmax --hidden 48 --activation tanh -o adam -l 0.01 -b 16 -e 2 --standardize --holdout 0.3"
# shellcheck disable=SC2086
"$DESCENT" $net --threads 1 <"$data/digits.csv" >"$tmp/one" 2>"$tmp/err" ||
	fail "network, one thread: $(cat "$tmp/err")"
# shellcheck disable=SC2086
"$DESCENT" $net --threads 2 <"$data/digits.csv" >"$tmp/two" 2>"$tmp/err" ||
	fail "network, two threads: $(cat "$tmp/err")"
same "network, 2 threads" "$tmp/one" "$tmp/two"

# With more than one thread an epoch's evaluation runs while the next epoch
# trains; a record that stops the run must leave what one thread leaves:
# the same records, weights, messages and status.  Each case stops at a
# record evaluated ahead (or in the epoch after one), its sequel dropped.
stops() {
	input=$3
	case $input in /*) ;; *) input=$data/$input ;; esac
	# shellcheck disable=SC2086
	"$DESCENT" $2 --threads 1 <"$input" >"$tmp/one" 2>"$tmp/err1"
	status1=$?
	# shellcheck disable=SC2086
	"$DESCENT" $2 --threads 2 <"$input" >"$tmp/two" 2>"$tmp/err2"
	status2=$?
	[ "$status1" = "$status2" ] || fail "$1: status $status1 with one thread, $status2 with two"
	same "$1" "$tmp/one" "$tmp/two"
	cmp -s "$tmp/err1" "$tmp/err2" ||
		fail "$1: messages differ: $(diff "$tmp/err1" "$tmp/err2" | head -4)"
	grep -q "$4" "$tmp/err1" "$tmp/one" || fail "$1: no '$4' in: $(cat "$tmp/err1")"
}
# The starting point is evaluated while epoch 1 trains: a loss that is not
# finite there still refuses the data, with nothing on stdout.
printf 'a,y\n1,1e200\n2,3\n' >"$tmp/huge.csv"
stops "starting loss" "-m linear -e 3" "$tmp/huge.csv" "not finite at the starting weights"
[ -s "$tmp/two" ] && fail "starting loss: stdout not empty: $(head -3 "$tmp/two")"
# A step of epoch 1 overflows while epoch 0's record is being made.
stops "first epoch" "-m linear -o sgd -e 20 -b 4 -l 1e3" diabetes.csv \
	"diverged at epoch 1, step 20: the mini-batch loss is not finite"
# The divergence rule at epoch 2's record, after epoch 3 trained.
stops "loss growing" "-m linear -o sgd -e 20 -b 64 -l 30" diabetes.csv \
	"exceeds 1000 times the lowest"
# A step of epoch 2 overflows while epoch 1's record is still being made.
stops "step overflows" "-m linear -o sgd -e 20 -b 32 -l 10" diabetes.csv \
	"diverged at epoch 2, step 26: the mini-batch loss is not finite"
# --patience at a record evaluated ahead: the best weights, not the last.
stops "patience" "-m logistic -o adam -l 0.05 -e 60 --standardize --holdout 0.3 --patience 3" \
	breast_cancer.csv "early-stopped"

# The same first error, at the same line, from a pipe read on two threads.
awk 'NR == 45678 { $0 = "1,2,x3,4,5,yes" } { print }' "$tmp/rows.csv" >"$tmp/bad.csv"
for threads in 1 2; do
	cat "$tmp/bad.csv" | "$DESCENT" -m logistic --threads "$threads" >"$tmp/out" 2>"$tmp/err$threads"
	status=$?
	expect_status 65 "bad row, $threads threads"
	expect_no_stdout "bad row, $threads threads"
	grep -q '<stdin>:45678: ' "$tmp/err$threads" ||
		fail "bad row, $threads threads: no line 45678 in: $(cat "$tmp/err$threads")"
done
cmp -s "$tmp/err1" "$tmp/err2" || fail "bad row: messages differ: $(cat "$tmp/err1" "$tmp/err2")"

finish
