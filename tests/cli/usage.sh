#!/bin/sh
# usage.sh - the command line: --help and --version, and every usage error.
#
# --help/-h and --version/-V print on stdout, nothing on stderr, and exit 0.
# A bad command line exits 64 with "descent: WHAT" as the first line of
# stderr, the "Try 'descent --help'" hint after it, and nothing on stdout,
# before reading any data: the input is a valid data set, so a command line
# that is wrongly accepted trains and writes epoch records, and fails here.
. "$top_srcdir/tests/cli/lib.sh"

dataset=$data/diabetes.csv

# informative WHAT ARGS...: ARGS print to stdout only and exit 0.
informative() {
	what=$1
	shift
	run "$dataset" "$@"
	expect_status 0 "$what"
	[ -s "$tmp/out" ] || fail "$what: nothing on stdout"
	[ ! -s "$tmp/err" ] || fail "$what: stderr not empty: $(cat "$tmp/err")"
}

informative "--help" --help
grep -q '^Usage: descent ' "$tmp/out" || fail "--help: no 'Usage: descent ' line"
grep -q -- '--schedule' "$tmp/out" || fail "--help does not list --schedule"
cp "$tmp/out" "$tmp/help"
informative "-h" -h
cmp -s "$tmp/out" "$tmp/help" || fail "-h prints something other than --help"

informative "--version" --version
[ "$(cat "$tmp/out")" = "descent 0.2.0" ] ||
	fail "--version printed '$(cat "$tmp/out")', expected 'descent 0.2.0'"
informative "-V" -V
[ "$(cat "$tmp/out")" = "descent 0.2.0" ] ||
	fail "-V printed '$(cat "$tmp/out")', expected 'descent 0.2.0'"

# usage_error WHAT ARGS...: ARGS are refused as a usage error.
usage_error() {
	what=$1
	shift
	run "$dataset" "$@"
	expect_status 64 "$what"
	expect_no_stdout "$what"
	case $(head -n 1 "$tmp/err") in
	"descent: "?*) ;;
	*) fail "$what: first stderr line is '$(head -n 1 "$tmp/err")', expected 'descent: ...'" ;;
	esac
	expect_stderr "Try 'descent --help'" "$what"
}

usage_error "unknown long option" --no-such-option
usage_error "unknown short option" -x
usage_error "missing argument of --lr" --lr
usage_error "missing argument of -e" -e
usage_error "--lr abc" --lr abc
usage_error "--lr 0" --lr 0
usage_error "--lr -1" --lr -1
usage_error "--lr nan" --lr nan
usage_error "--lr 1x" --lr 1x
usage_error "--epochs -1" --epochs -1
usage_error "--epochs 1.5" --epochs 1.5
usage_error "--batch-size x" --batch-size x
usage_error "--momentum 1" --momentum 1
usage_error "--beta2 1.5" --beta2 1.5
usage_error "--eps 0" --eps 0
usage_error "--weight-decay -1" --weight-decay -1
usage_error "--seed -3" --seed -3
usage_error "--delimiter ab" --delimiter ab
usage_error "--model foo" --model foo
usage_error "--optimizer foo" --optimizer foo
usage_error "--schedule step:0:0.5" --schedule step:0:0.5
usage_error "--schedule cyclic:1:0.1:10 (HIGH < LOW)" --schedule cyclic:1:0.1:10
usage_error "--schedule plateau:x" --schedule plateau:x
usage_error "--schedule nonsense" --schedule nonsense
usage_error "stray positional argument" stray
# Columns count from 1, as in a column list (--features 0): issue 10.
usage_error "--target 0" -t 0
usage_error "--target 00" --target 00
usage_error "--target ''" --target ''
usage_error "--probabilities without --predict" --probabilities

# The messages say what is wrong.
run "$dataset" --model foo
expect_stderr "foo" "unknown model message names the model"
run "$dataset" --lr abc
expect_stderr "abc" "bad --lr message quotes the value"

# A schedule error shows the right form of that schedule.
run "$dataset" --schedule step:0:0.5
expect_stderr "step:EVERY:FACTOR" "step schedule error"
run "$dataset" --schedule cyclic:1:0.1:10
expect_stderr "cyclic:LOW:HIGH:HALF_PERIOD" "cyclic schedule error"
run "$dataset" --schedule plateau:x
expect_stderr "plateau[:PATIENCE[:FACTOR]]" "plateau schedule error"

finish
