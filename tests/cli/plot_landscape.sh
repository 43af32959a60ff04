#!/bin/sh
# plot_landscape.sh - descent-plot draws the records of --curvature,
# --landscape line and plane, --lr-find and --probe symmetry, and several
# optimizers on one plot; every plot is drawn from real descent output.
#
# The errors (exit 64 and 65, whose messages name the option of descent
# that writes the records) need no gnuplot and are checked first; the
# drawings (PNG, SVG, the terminal) only when gnuplot is installed, else
# the test ends there, skipped (77), unless a check already failed.
. "$top_srcdir/tests/cli/lib.sh"
: "${DESCENT_PLOT:?DESCENT_PLOT must name the built descent-plot script}"

# plot ARGS...: run descent-plot in $tmp/work, leaving $status, $tmp/out,
# $tmp/err; its temporary files go under $tmp/t, which must stay empty.
mkdir "$tmp/work" "$tmp/t"
w=$tmp/work
plot() {
	(cd "$w" && TMPDIR=$tmp/t "$DESCENT_PLOT" "$@") </dev/null >"$tmp/out" 2>"$tmp/err"
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
	grep -qF -- "$1" "$tmp/out" || fail "$2: stdout lacks '$1' (got: $(head -c 600 "$tmp/out"))"
}

# train OUT ARGS... < DATA: a descent run kept in $w/OUT, its stderr in
# $w/OUT.err.
train() {
	out=$1
	shift
	"$DESCENT" "$@" >"$w/$out" 2>"$w/$out.err" || fail "descent $* > $out: exit $?: $(cat "$w/$out.err")"
}

# The runs.  The plane is the issue's: --landscape plane:21 on a --hidden 16
# softmax network over the digits (with the line of the same run).
train landscape.out -m softmax --hidden 16 -o adam --standardize --holdout 0.2 -e 10 \
	--landscape line --landscape plane:21 <"$data/digits.csv"
train lrfind.out -m softmax --hidden 16 -o adam --standardize --lr-find <"$data/digits.csv"
train symmetry.out -m softmax --hidden 16,16 --residual -o adam --standardize -e 3 \
	--probe symmetry <"$data/digits.csv"
train curvature.out -m logistic -o sgd -l 0.5 --standardize -e 8 --curvature <"$data/breast_cancer.csv"
for optimizer in sgd momentum adam; do
	train "$optimizer.out" -m logistic -o "$optimizer" -l 0.01 --standardize -e 20 <"$data/breast_cancer.csv"
done
[ "$(grep -c '^plane,' "$w/landscape.out")" -eq 441 ] || fail "plane:21 did not write 441 plane records"

# --- errors (no gnuplot needed) ---------------------------------------------

# A run without the records asked for: 65, naming the option that makes them.
for case in "curvature:--curvature" "line:--landscape line" "plane:--landscape plane" \
	"surface:--landscape plane" "lrfind:--lr-find" "symmetry:--probe symmetry"; do
	what=${case%%:*}
	option=${case#*:}
	records=$what
	[ "$what" = surface ] && records=plane
	plot --what "$what" sgd.out
	expect_status 65 "--what $what of a plain run"
	expect_stderr "no $records records in sgd.out (run descent with $option)" "--what $what of a plain run"
	expect_no_stdout "--what $what of a plain run"
done
plot --what plane --output none.png sgd.out
[ ! -e "$w/none.png" ] || fail "none.png was created although the plot failed"
# The second run lacks them: still 65.
plot --what lrfind lrfind.out sgd.out
expect_status 65 "--what lrfind with a second run without lrfind records"
# --lr-find writes no epoch records.
plot lrfind.out
expect_status 65 "--what loss of an --lr-find run"

for args in "--what plane landscape.out landscape.out" "--what surface landscape.out sgd.out" \
	"--mark 0.1 landscape.out" "--what lrfind --mark abc lrfind.out" \
	"--what lrfind --mark 0 lrfind.out" "--what lrfind --mark -1 lrfind.out" \
	"--log-scale --what plane landscape.out" "--log-scale --what symmetry symmetry.out" \
	"--what lrfind --mark" "--what contour landscape.out"; do
	# shellcheck disable=SC2086 # split on purpose: the words are the arguments
	plot $args
	expect_status 64 "descent-plot $args"
	expect_stderr "Try 'descent-plot --help'" "descent-plot $args"
	expect_no_stdout "descent-plot $args"
done

# The symmetry table needs no gnuplot: one row per transform, and an exact
# symmetry (the shared permutation) keeps the loss to rounding.
GNUPLOT=no-such-gnuplot-program plot --what symmetry symmetry.out
expect_clean "--what symmetry in the terminal"
expect_out "transform" "--what symmetry"
expect_out "loss before" "--what symmetry"
expect_out "grad after" "--what symmetry"
awk -F, '$1 == "symmetry" { print $2 }' "$w/symmetry.out" >"$tmp/kinds"
[ -s "$tmp/kinds" ] || fail "--probe symmetry wrote no symmetry records"
while read -r kind; do
	expect_out "$kind " "--what symmetry"
done <"$tmp/kinds"
[ "$(wc -l <"$tmp/out")" -eq $(($(wc -l <"$tmp/kinds") + 1)) ] ||
	fail "--what symmetry: not one row per transform: $(cat "$tmp/out")"
awk '$1 ~ /^permutation-shared:/ { found = 1; change = $4 + 0; if (change < 0) change = -change; if (change > 1e-12) bad = 1 }
	END { exit !(found && !bad) }' "$tmp/out" ||
	fail "--what symmetry: the shared permutation changed the loss: $(cat "$tmp/out")"
plot --what symmetry symmetry.out sgd.out
expect_status 65 "--what symmetry with a second run without symmetry records"
cp "$w/symmetry.out" "$w/other.out"
GNUPLOT=no-such-gnuplot-program plot --what symmetry symmetry.out other.out
expect_clean "--what symmetry of two runs"
expect_out "other.out: permutation" "--what symmetry of two runs"

if ! command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
	if [ "$failures" -eq 0 ]; then
		echo "SKIP: gnuplot is not installed (Debian package gnuplot-nox): plots not checked" >&2
		exit 77
	fi
	finish
fi

# --- drawings (gnuplot needed) ----------------------------------------------

# picture WHAT FILE RUN...: --what WHAT --output FILE succeeds silently and
# writes an 800x600 PNG, or an SVG.
picture() {
	what=$1
	file=$2
	shift 2
	plot --what "$what" --output "$file" "$@"
	expect_clean "--what $what --output $file"
	expect_no_stdout "--what $what --output $file"
	case $file in
	*.png)
		size=$(png_size "$w/$file")
		[ "$size" = "800 600" ] || fail "--what $what: $file is not an 800x600 PNG (size '$size')"
		;;
	*.svg)
		head -c 200 "$w/$file" | grep -qE '^(<\?xml|<svg)' ||
			fail "--what $what: $file does not start as SVG: $(head -c 100 "$w/$file")"
		;;
	esac
}

# The must-show: the plane of a --hidden 16 network as a PNG contour map.
picture plane plane.png landscape.out
[ "$(wc -c <"$w/plane.png")" -gt 10000 ] || fail "plane.png is only $(wc -c <"$w/plane.png") bytes"
picture plane plane.svg landscape.out
grep -q '<path' "$w/plane.svg" || fail "plane.svg has no contour lines"
plot --what plane landscape.out
expect_clean "--what plane in the terminal"
expect_out "loss around the final weights" "--what plane"
expect_out "direction a" "--what plane"
expect_out "final" "--what plane"
# Seven contour levels in the key, each a number.
levels=$(awk 'NF >= 2 && $(NF - 1) ~ /^[0-9.e+-]+$/ && $NF ~ /^[*#$%@&=]+$/ && length($NF) >= 5 { n++ } END { print n + 0 }' "$tmp/out")
[ "$levels" -ge 3 ] || fail "--what plane: only $levels contour levels in the key: $(cat "$tmp/out")"
# Without the blank lines between rows (after a grep), the same map.
grep '^plane,' "$w/landscape.out" >"$w/plane-only.out"
plot --what plane plane-only.out
expect_clean "--what plane of the plane records alone"
expect_out "final" "--what plane of the plane records alone"

picture surface surface.png landscape.out
picture surface surface.svg landscape.out
plot --what surface landscape.out
expect_clean "--what surface in the terminal"
expect_out "loss around the final weights" "--what surface"

plot --what line landscape.out
expect_clean "--what line in the terminal"
expect_out "landscape.out train" "--what line"
expect_out "landscape.out validation" "--what line"
expect_out "initial" "--what line"
expect_out "final" "--what line"
expect_out "alpha" "--what line"
picture line line.png landscape.out
picture line line.svg landscape.out
plot --what line --log-scale landscape.out
expect_clean "--what line --log-scale"

# The range test: the marks are the step size descent suggests and the
# step where it says the smoothed loss falls fastest.
plot --what lrfind lrfind.out
expect_clean "--what lrfind in the terminal"
expect_out "lrfind.out loss" "--what lrfind"
expect_out "lrfind.out smoothed" "--what lrfind"
expect_out "step size (lr)" "--what lrfind"
fastest=$(sed -n 's/.*falls fastest at step [0-9]* (step size \([^)]*\)).*/\1/p' "$w/lrfind.out.err")
if [ -n "$fastest" ]; then
	expect_out "lrfind.out steepest, lr $fastest" "--what lrfind marks descent's steepest step"
else
	fail "descent --lr-find does not say where the smoothed loss falls fastest: $(cat "$w/lrfind.out.err")"
fi
suggested=$(sed -n 's/.*(try --lr \([^)]*\)).*/\1/p' "$w/lrfind.out.err")
[ -n "$suggested" ] || fail "descent --lr-find suggests no step size: $(cat "$w/lrfind.out.err")"
expect_out "lrfind.out suggested lr $suggested (lowest / 10)" "--what lrfind marks descent's suggestion"
plot --what lrfind --mark "$suggested" lrfind.out
expect_clean "--what lrfind --mark $suggested"
expect_out "lrfind.out --mark lr $suggested" "--what lrfind --mark"
picture lrfind lrfind.png lrfind.out
picture lrfind lrfind.svg lrfind.out
plot --what lrfind --log-scale lrfind.out
expect_clean "--what lrfind --log-scale"

picture symmetry symmetry.png symmetry.out
picture symmetry symmetry.svg symmetry.out
grep -q 'gradient norm' "$w/symmetry.svg" || fail "symmetry.svg lacks the gradient norm panel"

# Curvature: lambda_max, lambda_min and the 2/lr line (lr 0.5: at 4).
plot --what curvature curvature.out
expect_clean "--what curvature in the terminal"
expect_out "curvature.out lambda_max" "--what curvature"
expect_out "curvature.out lambda_min" "--what curvature"
expect_out "curvature.out 2/lr" "--what curvature"
picture curvature curvature.png curvature.out
picture curvature curvature.svg curvature.out
plot --what curvature --log-scale curvature.out
expect_clean "--what curvature --log-scale"
expect_out "curvature.out lambda_max" "--what curvature --log-scale"
# Without the epoch records, the step size comes from LR_TIMES_LAMBDA_MAX.
grep '^curvature,' "$w/curvature.out" >"$w/curvature-only.out"
plot --what curvature curvature-only.out
expect_clean "--what curvature of the curvature records alone"
expect_out "curvature-only.out 2/lr" "--what curvature of the curvature records alone"

# Three optimizers on one plot, each named in the legend; two runs of the
# same file name in different directories are named by their paths.
plot sgd.out momentum.out adam.out
expect_clean "three optimizers"
for optimizer in sgd momentum adam; do
	expect_out "$optimizer.out train" "three optimizers"
done
picture loss optimizers.svg sgd.out momentum.out adam.out
for optimizer in sgd momentum adam; do
	grep -qF "$optimizer.out train" "$w/optimizers.svg" || fail "optimizers.svg: the legend lacks '$optimizer.out train'"
done
mkdir "$w/a" "$w/b"
cp "$w/sgd.out" "$w/a/run.out"
cp "$w/adam.out" "$w/b/run.out"
plot a/run.out b/run.out
expect_clean "two runs named run.out"
expect_out "a/run.out train" "two runs named run.out"
expect_out "b/run.out train" "two runs named run.out"

# Under dash, when /bin/sh is something else.
if command -v dash >/dev/null 2>&1; then
	(cd "$w" && dash "$DESCENT_PLOT" --what plane --output dash.png landscape.out) >"$tmp/out" 2>"$tmp/err"
	status=$?
	expect_clean "--what plane under dash"
	[ "$(png_size "$w/dash.png")" = "800 600" ] || fail "under dash: dash.png is not an 800x600 PNG"
fi

finish
