#!/bin/sh
# recipes.sh - the shell recipes of README.md and the man pages work.
#
# Every ```sh block of README.md (but the ones that install, build or run
# "make check") and every .EX block of the EXAMPLES of man/descent.1 and
# man/descent-plot.1 runs as a shell script, in document order, in a
# scratch directory that sees the shipped data as data/, with "descent" and
# "descent-plot" both in PATH and in the directory (README says ./descent).
#
# gnuplot, descent and descent-plot are replaced by wrappers that run the
# real programs and note every call that goes wrong:
#   gnuplot       drawn on the dumb terminal (GNUTERM=dumb, and "set
#                 terminal dumb" before the recipe's commands, so "-p" draws
#                 nothing on screen); it must exit 0, print something and
#                 write nothing on stderr, not even a warning, such as the
#                 "Skipping data file with no valid points" of the old
#                 recipes that fed epoch records to plot '-';
#   descent       must exit 0 (or 3, for the example that shows divergence,
#                 or 141 when "| head" stops reading);
#   descent-plot  must exit 0 with nothing on stderr, and either print a
#                 plot or write the non-empty file of --output.
# Each document must have at least one gnuplot recipe or one descent-plot
# recipe, as it had when this test was written.  Skipped (77) without
# gnuplot.
. "$top_srcdir/tests/cli/lib.sh"
: "${DESCENT_PLOT:?DESCENT_PLOT must name the built descent-plot script}"

if ! real_gnuplot=$(command -v "${GNUPLOT:-gnuplot}"); then
	echo "SKIP: gnuplot is not installed (Debian package gnuplot-nox)" >&2
	exit 77
fi

absolute() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}
binary=$(absolute "$DESCENT")
plot=$(absolute "$DESCENT_PLOT")
log=$tmp/calls.log
problems=$tmp/problems.log
: >"$log"
: >"$problems"

mkdir "$tmp/bin" "$tmp/work"
ln -s "$(cd "$data" && pwd)" "$tmp/work/data"

# The wrappers; they find what they need in the environment of the run.
cat >"$tmp/bin/gnuplot" <<'EOF'
#!/bin/sh
out=$(mktemp "$RECIPE_TMP/gnuplot.out.XXXXXX")
err=$(mktemp "$RECIPE_TMP/gnuplot.err.XXXXXX")
"$REAL_GNUPLOT" -e 'set terminal dumb size 79,24' "$@" >"$out" 2>"$err"
status=$?
echo "gnuplot $RECIPE_DOC" >>"$RECIPE_LOG"
if [ "$status" -ne 0 ] || [ -s "$err" ] || [ ! -s "$out" ]; then
	printf '%s: gnuplot %s: exit %s, %s bytes out, stderr: %s\n' \
		"$RECIPE_DOC" "$*" "$status" "$(wc -c <"$out")" "$(head -c 400 "$err" | tr "\n" " ")" >>"$RECIPE_PROBLEMS"
fi
cat "$out"
cat "$err" >&2
rm -f "$out" "$err"
exit "$status"
EOF
cat >"$tmp/bin/descent" <<'EOF'
#!/bin/sh
"$REAL_DESCENT" "$@"
status=$?
echo "descent $RECIPE_DOC" >>"$RECIPE_LOG"
# 141: killed by SIGPIPE, the quiet end of a "| head" that stops reading.
case $status in
0 | 3 | 141) ;;
*) printf '%s: descent %s: exit %s\n' "$RECIPE_DOC" "$*" "$status" >>"$RECIPE_PROBLEMS" ;;
esac
exit "$status"
EOF
cat >"$tmp/bin/descent-plot" <<'EOF'
#!/bin/sh
out=$(mktemp "$RECIPE_TMP/plot.out.XXXXXX")
err=$(mktemp "$RECIPE_TMP/plot.err.XXXXXX")
GNUPLOT=$REAL_GNUPLOT "$REAL_DESCENT_PLOT" "$@" >"$out" 2>"$err"
status=$?
echo "descent-plot $RECIPE_DOC" >>"$RECIPE_LOG"
# The file of --output FILE, -o FILE or --output=FILE.
file=
previous=
for arg in "$@"; do
	case $previous in
	--output | -o) file=$arg ;;
	esac
	case $arg in
	--output=*) file=${arg#--output=} ;;
	esac
	previous=$arg
done
if [ "$status" -ne 0 ] || [ -s "$err" ]; then
	printf '%s: descent-plot %s: exit %s, stderr: %s\n' \
		"$RECIPE_DOC" "$*" "$status" "$(head -c 400 "$err" | tr "\n" " ")" >>"$RECIPE_PROBLEMS"
elif [ -n "$file" ] && [ ! -s "$file" ]; then
	printf '%s: descent-plot %s: %s is empty or missing\n' \
		"$RECIPE_DOC" "$*" "$file" >>"$RECIPE_PROBLEMS"
elif [ -z "$file" ] && [ ! -s "$out" ]; then
	printf '%s: descent-plot %s: drew nothing\n' "$RECIPE_DOC" "$*" >>"$RECIPE_PROBLEMS"
fi
cat "$out"
cat "$err" >&2
rm -f "$out" "$err"
exit "$status"
EOF
chmod +x "$tmp/bin/gnuplot" "$tmp/bin/descent" "$tmp/bin/descent-plot"
ln -s "$tmp/bin/descent" "$tmp/work/descent"
ln -s "$tmp/bin/descent-plot" "$tmp/work/descent-plot"

RECIPE_TMP=$tmp RECIPE_LOG=$log RECIPE_PROBLEMS=$problems
REAL_GNUPLOT=$real_gnuplot REAL_DESCENT=$binary REAL_DESCENT_PLOT=$plot
GNUTERM=dumb
export RECIPE_TMP RECIPE_LOG RECIPE_PROBLEMS REAL_GNUPLOT REAL_DESCENT \
	REAL_DESCENT_PLOT GNUTERM

# missing_tool BLOCK: print the program (the first word of a line) or the
# Python module ("import NAME") that BLOCK needs and this machine lacks.
missing_tool() {
	awk '{ print $1 }' "$1" | grep -E '^[A-Za-z][A-Za-z0-9_.+-]*$' | sort -u |
		while read -r word; do
			case $word in
			descent | descent-plot | gnuplot | for | do | done | if | then | fi | while) continue ;;
			esac
			command -v "$word" >/dev/null 2>&1 || { echo "$word"; break; }
		done
	grep -oE 'import [A-Za-z_][A-Za-z0-9_.]*' "$1" | sort -u |
		while read -r _ module; do
			python3 -c "import $module" >/dev/null 2>&1 || { echo "Python module $module"; break; }
		done
}

# run_blocks DOC DIR: run each recipe file DIR/NNN.sh, naming DOC in reports.
# A recipe that needs a program or Python module not installed here is
# left out, with a note on stderr.
run_blocks() {
	for block in "$2"/*.sh; do
		[ -e "$block" ] || continue
		RECIPE_DOC="$1 (recipe $(basename "$block" .sh))"
		export RECIPE_DOC
		lacking=$(missing_tool "$block" | head -n 1)
		if [ -n "$lacking" ]; then
			echo "$RECIPE_DOC not run: $lacking is not installed" >&2
			continue
		fi
		(cd "$tmp/work" && PATH="$tmp/bin:$PATH" sh "$block") \
			</dev/null >"$tmp/recipe.out" 2>"$tmp/recipe.err"
		status=$?
		[ "$status" -eq 0 ] ||
			fail "$RECIPE_DOC exits $status: $(cat "$block") (stderr: $(head -c 300 "$tmp/recipe.err"))"
	done
}

# --- README.md -------------------------------------------------------------

# One file per ```sh block, leaving out the blocks that install packages,
# build the tree or run the tests (the tree is already built).
mkdir "$tmp/readme"
awk -v dir="$tmp/readme" '
	/^```sh[ \t]*$/ { n++; file = sprintf("%s/%03d.sh", dir, n); inside = 1; next }
	/^```/ { if (inside) close(file); inside = 0; next }
	inside { print > file }
' "$top_srcdir/README.md"
for block in "$tmp/readme"/*.sh; do
	if grep -qE '^[[:space:]]*(apt-get|sudo|\./bootstrap|\./configure|make)([[:space:]]|$)' "$block"; then
		rm -f "$block"
	fi
done
ls "$tmp/readme"/*.sh >/dev/null 2>&1 || fail "no \`\`\`sh recipes found in README.md"
run_blocks README.md "$tmp/readme"
grep -qE '^(gnuplot|descent-plot) README' "$log" ||
	fail "README.md: no recipe ran gnuplot or descent-plot"

# --- the man pages ---------------------------------------------------------

# One file per .EX block of EXAMPLES, with the roff escapes undone.
for page in descent descent-plot; do
	manpage=$top_srcdir/man/$page.1
	mkdir "$tmp/$page"
	sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$manpage" |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' \
		    -e 's/\\e/\\/g' |
		awk -v dir="$tmp/$page" '
			/^\.EX/ { n++; file = sprintf("%s/%03d.sh", dir, n); inside = 1; next }
			/^\.EE/ { if (inside) close(file); inside = 0; next }
			inside { print > file }
		'
	ls "$tmp/$page"/*.sh >/dev/null 2>&1 || fail "no .EX recipes found in EXAMPLES of $page.1"
	run_blocks "$page.1" "$tmp/$page"
	grep -qE "^(gnuplot|descent-plot) $page\\.1" "$log" ||
		fail "$page.1: no example ran gnuplot or descent-plot"
done

if [ -s "$problems" ]; then
	while IFS= read -r problem; do
		fail "$problem"
	done <"$problems"
fi

finish
