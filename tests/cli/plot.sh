#!/bin/sh
# plot.sh - descent-plot draws real runs, and fails as documented.
#
# The usage and file errors (exit 64, 65, 66) and the missing-gnuplot error
# (69) are checked first, as they need no gnuplot; the plots themselves
# (PNG, SVG, the terminal, each --what, --log-scale, standard input, file
# names with spaces and quotes, no temporary file left) only when gnuplot is
# installed: without it the test ends there, skipped (77), unless a check
# already failed.  The script is also run under dash and, when shellcheck
# is installed, checked with "shellcheck -s sh".
. "$top_srcdir/tests/cli/lib.sh"
: "${DESCENT_PLOT:?DESCENT_PLOT must name the built descent-plot script}"

# plot ARGS...: run descent-plot in $tmp/work, leaving $status, $tmp/out,
# $tmp/err; its temporary files go under $tmp/t, which must stay empty.
mkdir "$tmp/work" "$tmp/t"
plot() {
	(cd "$tmp/work" && TMPDIR=$tmp/t "$DESCENT_PLOT" "$@") </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ -n "$(ls -A "$tmp/t")" ]; then
		fail "descent-plot $*: left temporary files: $(ls -A "$tmp/t")"
		rm -rf "$tmp/t" && mkdir "$tmp/t"
	fi
}

# expect_clean WHAT: the last run exited 0 with nothing on stderr.
expect_clean() {
	expect_status 0 "$1"
	[ ! -s "$tmp/err" ] || fail "$1: stderr: $(head -c 300 "$tmp/err")"
}

# expect_out TEXT WHAT: the last run's stdout contains TEXT.
expect_out() {
	grep -qF -- "$1" "$tmp/out" || fail "$2: stdout lacks '$1' (got: $(head -c 300 "$tmp/out"))"
}

# The runs: two optimizers (one file name with a space and a quote), one
# with validation rows, a linear model (no accuracy), a quiet run (no epoch
# records).
w=$tmp/work
"$DESCENT" -m logistic -o adam -l 0.01 --standardize -e 30 <"$data/breast_cancer.csv" >"$w/run.out" ||
	fail "training the adam run failed"
"$DESCENT" -m logistic -o sgd -l 0.1 --standardize -e 30 <"$data/breast_cancer.csv" >"$w/sgd run's.out" ||
	fail "training the sgd run failed"
"$DESCENT" -m logistic -o adam -l 0.01 --standardize -e 30 --holdout 0.2 <"$data/breast_cancer.csv" >"$w/holdout.out" ||
	fail "training the holdout run failed"
"$DESCENT" -m linear -l 0.01 --standardize -e 10 --schedule cosine <"$data/diabetes.csv" >"$w/linear.out" ||
	fail "training the linear run failed"
"$DESCENT" -m logistic --standardize -e 3 -q <"$data/breast_cancer.csv" >"$w/quiet.out" ||
	fail "training the quiet run failed"
grep -q '^epoch,30,[^,]*,[0-9]' "$w/holdout.out" || fail "the --holdout run has no val_loss"

# --- help, version and usage errors (no gnuplot needed) --------------------

plot --help
expect_clean "--help"
expect_out "Usage: descent-plot"
expect_out "--what"
plot -h
expect_clean "-h"
plot --version
expect_clean "--version"
grep -q '^descent-plot [0-9][0-9.]*$' "$tmp/out" || fail "--version prints: $(cat "$tmp/out")"

for args in "--bogus run.out" "-x run.out" "--what speed run.out" "--output loss.pdf run.out" \
	"--output loss run.out" "--log-scale --what weights run.out" \
	"--log-scale --what accuracy run.out" "--output" "--what" ""; do
	# shellcheck disable=SC2086 # split on purpose: the words are the arguments
	plot $args
	expect_status 64 "descent-plot $args"
	expect_stderr "descent-plot: " "descent-plot $args"
	expect_stderr "Try 'descent-plot --help'" "descent-plot $args"
	expect_no_stdout "descent-plot $args"
done

plot no-such.out
expect_status 66 "a missing run file"
expect_stderr "no-such.out" "a missing run file"
plot run.out no-such.out
expect_status 66 "a missing second run file"
mkdir "$w/dir.out"
plot dir.out
expect_status 66 "a directory as run file"
if [ "$(id -u)" -ne 0 ]; then
	cp "$w/run.out" "$w/secret.out" && chmod 000 "$w/secret.out"
	plot secret.out
	expect_status 66 "an unreadable run file"
fi

plot quiet.out
expect_status 65 "a run without epoch records"
expect_stderr "no epoch records" "a run without epoch records"
expect_no_stdout "a run without epoch records"
plot --what weights "$data/iris.csv"
expect_status 65 "weights of a file without weight records"
expect_stderr "no weight records" "weights of a file without weight records"
plot --what accuracy linear.out
expect_status 65 "accuracy of a linear run"
expect_stderr "no accuracy" "accuracy of a linear run"

GNUPLOT=no-such-gnuplot-program plot run.out
expect_status 69 "gnuplot missing"
expect_stderr "not found: install the Debian package gnuplot-nox" "gnuplot missing"
expect_no_stdout "gnuplot missing"
GNUPLOT=no-such-gnuplot-program plot --output loss.png run.out
expect_status 69 "gnuplot missing, with --output"
[ ! -e "$w/loss.png" ] || fail "gnuplot missing: loss.png was created"

# The manual page: every long option of --help, hyphens escaped, and it
# formats without warnings.
manpage=$top_srcdir/man/descent-plot.1
plot --help
grep -oE -- '--[a-z][a-z-]*' "$tmp/out" | sort -u >"$tmp/long"
while read -r option; do
	roff=$(printf '%s\n' "$option" | sed 's/-/\\-/g')
	grep -qF -- "$roff" "$manpage" || fail "descent-plot.1 lacks $option (roff: $roff)"
done <"$tmp/long"
if grep -v '^\.\\"' "$manpage" | grep -n -- '--' >"$tmp/raw"; then
	fail "unescaped '--' in descent-plot.1: $(cat "$tmp/raw")"
fi
if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$manpage" >"$tmp/format" 2>&1 ||
		fail "groff cannot format descent-plot.1: $(cat "$tmp/format")"
	[ ! -s "$tmp/format" ] || fail "groff -ww warns on descent-plot.1: $(cat "$tmp/format")"
fi

if command -v shellcheck >/dev/null 2>&1; then
	shellcheck -s sh "$top_srcdir/scripts/descent-plot.in" >"$tmp/shellcheck" 2>&1 ||
		fail "shellcheck -s sh scripts/descent-plot.in: $(cat "$tmp/shellcheck")"
else
	echo "shellcheck is not installed: not run" >&2
fi

# --- plots (gnuplot needed) ------------------------------------------------

if ! command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
	if [ "$failures" -eq 0 ]; then
		echo "SKIP: gnuplot is not installed (Debian package gnuplot-nox): plots not checked" >&2
		exit 77
	fi
	finish
fi

# expect_png FILE WHAT: FILE is a PNG picture of a plausible size.
expect_png() {
	[ -s "$1" ] || { fail "$2: $1 is missing or empty"; return; }
	size=$(png_size "$1")
	[ -n "$size" ] || { fail "$2: $1 is not a PNG file: $(od -c -N 16 "$1" | head -n 1)"; return; }
	width=${size% *}
	height=${size#* }
	if [ "$width" -lt 200 ] || [ "$width" -gt 4000 ] || [ "$height" -lt 150 ] || [ "$height" -gt 4000 ]; then
		fail "$2: $1 is ${width}x$height pixels"
	fi
}

# The issue's line: a PNG of the loss curve.
plot --output loss.png run.out
expect_clean "--output loss.png"
expect_no_stdout "--output loss.png"
expect_png "$w/loss.png" "--output loss.png"

plot -o "my plot.svg" run.out "sgd run's.out" holdout.out
expect_clean "--output 'my plot.svg'"
[ -s "$w/my plot.svg" ] || fail "'my plot.svg' is missing or empty"
head -c 200 "$w/my plot.svg" | grep -qE '^(<\?xml|<svg)' ||
	fail "'my plot.svg' does not start as SVG: $(head -c 100 "$w/my plot.svg")"
grep -qF "sgd run's.out train" "$w/my plot.svg" || fail "the SVG legend lacks \"sgd run's.out train\""
grep -qF "holdout.out validation" "$w/my plot.svg" || fail "the SVG legend lacks 'holdout.out validation'"
grep -qF "run.out validation" "$w/my plot.svg" && fail "the SVG has a validation curve for run.out"

# The terminal: legend names, no validation curve without validation rows,
# the size of COLUMNS and LINES, or 80x25.
plot run.out "sgd run's.out" "$w/holdout.out"
expect_clean "the dumb terminal"
expect_out "run.out train"
expect_out "sgd run's.out train"
expect_out "holdout.out train"
expect_out "holdout.out validation"
expect_out "epoch"
grep -q "run.out validation" "$tmp/out" && fail "the terminal plot has a validation curve for run.out"
[ "$(wc -l <"$tmp/out")" -eq 24 ] || fail "the terminal plot has $(wc -l <"$tmp/out") lines, not 24"
COLUMNS=100 LINES=30 plot run.out
expect_clean "COLUMNS=100 LINES=30"
width=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$tmp/out")
[ "$width" -eq 99 ] || fail "COLUMNS=100: plot is $width columns wide, not 99"
[ "$(wc -l <"$tmp/out")" -eq 29 ] || fail "LINES=30: plot has $(wc -l <"$tmp/out") lines, not 29"

for what in loss accuracy lr weights; do
	plot --what "$what" run.out holdout.out
	expect_clean "--what $what"
	expect_out "holdout.out"
	plot --what="$what" --output "$what.png" run.out "sgd run's.out"
	expect_clean "--what=$what --output $what.png"
	expect_png "$w/$what.png" "--what $what"
done
plot --what lr linear.out
expect_clean "--what lr of a linear run with a cosine schedule"
plot --log-scale --output log.png run.out holdout.out
expect_clean "--log-scale"
expect_png "$w/log.png" "--log-scale"
plot --log-scale --what lr run.out
expect_clean "--log-scale --what lr"

# Standard input, and a mix of both.
(cd "$w" && TMPDIR=$tmp/t "$DESCENT_PLOT" - holdout.out <run.out) >"$tmp/out" 2>"$tmp/err"
status=$?
expect_clean "- (standard input)"
expect_out "stdin train"

# A failed plot leaves no output file; an unwritable one is exit 73.
plot --output none.png run.out quiet.out
expect_status 65 "a run without epoch records, with --output"
[ ! -e "$w/none.png" ] || fail "none.png was created although the plot failed"
plot --output "$w/no/such/dir/x.png" run.out
expect_status 73 "an output file in a missing directory"
expect_stderr "cannot write" "an output file in a missing directory"

# Under dash, when /bin/sh is something else.
if command -v dash >/dev/null 2>&1; then
	(cd "$w" && dash "$DESCENT_PLOT" --output dash.svg "sgd run's.out" holdout.out) >"$tmp/out" 2>"$tmp/err"
	status=$?
	expect_clean "under dash"
	[ -s "$w/dash.svg" ] || fail "under dash: dash.svg is missing or empty"
fi

finish
