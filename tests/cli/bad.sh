#!/bin/sh
# bad.sh - the catalogue of bad inputs and bad command lines (tests/cli/bad/).
#
# Each tests/cli/bad/*.case is one case as data: the arguments, the standard
# input and any files it names, the exit status, patterns for stderr and
# what stdout may hold (tests/cli/bad/README.md describes the format).  This
# driver runs every case and prints one line per case: PASS, FAIL with what
# was expected and what came, XFAIL for a case marked "xfail:" that still
# fails (a known bug), or XPASS for a marked case that now passes (remove
# its "xfail:" line).  It exits 0 when no case is FAIL or XPASS.
#
# BAD_CASES (optional): a space-separated list of case names or glob
# patterns to run instead of all of them, e.g. BAD_CASES='4*' (the model files).
. "$top_srcdir/tests/cli/lib.sh"

catalogue=$top_srcdir/tests/cli/bad
case $DESCENT in
/*) descent=$DESCENT ;;
*) descent=$PWD/$DESCENT ;;
esac
fixtures_dir=$(cd "$fixtures" && pwd)
data_dir=$(cd "$data" && pwd)
# A case that hangs fails instead of stopping the suite.
limit=${BAD_TIMEOUT:-300}
if command -v timeout >/dev/null 2>&1; then
	timer="timeout $limit"
else
	timer=
fi

passes=0
xfails=0
xpasses=0
total=0

# split_case CASE DIR: the header lines to DIR/.header; each "--- KIND [NAME] [FORM]"
# section's body to DIR/.body.N and "N KIND NAME FORM" to DIR/.sections.
split_case() {
	awk -v dir="$2" '
		function close_body() { if (body != "") close(body) }
		/^--- / {
			close_body()
			n++
			kind = $2; name = "-"; form = "verbatim"
			if (kind == "file") { name = $3; if ($4 != "") form = $4 }
			else if ($3 != "") form = $3
			print n, kind, name, form >(dir "/.sections")
			body = dir "/.body." n
			printf "" >body
			next
		}
		n == 0 { print >(dir "/.header"); next }
		{ print >body }
		END { close_body(); if (n == 0) printf "" >(dir "/.sections") }
	' "$1"
}

# unescape: printf's %b escapes (\r, \t, \\, \0NNN) in each line of stdin;
# a line holding \c ends the output there, without its newline.
unescape() {
	while IFS= read -r line; do
		case $line in
		*'\c'*) printf '%b' "$line"; return ;;
		*) printf '%b\n' "$line" ;;
		esac
	done
}

# make_body N FORM TARGET: write section N's bytes to TARGET in case dir $dir.
make_body() {
	case $2 in
	verbatim) cp "$dir/.body.$1" "$3" ;;
	escaped) unescape <"$dir/.body.$1" >"$3" ;;
	sh) (cd "$dir" && data=$data_dir fixtures=$fixtures_dir sh "$dir/.body.$1") >"$3" ;;
	*) return 1 ;;
	esac
}

# read_header: set args, expected_status, expected_lines, expected_stdout
# and xfail from $dir/.header, and write the stderr patterns, one a line,
# to $dir/.patterns.  Lines starting with # are comments.
read_header() {
	args=
	expected_status=
	expected_lines=
	expected_stdout=empty
	xfail=
	: >"$dir/.patterns"
	while IFS= read -r line; do
		key=${line%%:*}
		value=${line#*:}
		value=${value#"${value%%[! 	]*}"}
		case $line in
		'#'* | '') continue ;;
		*:*) ;;
		*) why="header line without a key: '$line'"; return 1 ;;
		esac
		case $key in
		args) args=$value ;;
		status) expected_status=$value ;;
		stderr) printf '%s\n' "$value" >>"$dir/.patterns" ;;
		stderr-lines) expected_lines=$value ;;
		stdout) expected_stdout=$value ;;
		xfail) xfail=$value ;;
		*) why="unknown header '$key'"; return 1 ;;
		esac
	done <"$dir/.header"
	case $expected_status in
	'' | *[!0-9]*) why="no 'status: N' header"; return 1 ;;
	esac
}

# run_case FILE: run one case; sets $verdict (pass or fail) and $why.
run_case() {
	verdict=fail
	why=
	xfail=
	rm -rf "$dir"
	mkdir "$dir"
	: >"$dir/.header"
	split_case "$1" "$dir"
	stdin=/dev/null
	while read -r number kind file_name form; do
		case $kind in
		input)
			stdin=$dir/.stdin
			make_body "$number" "$form" "$stdin" || { why="bad section form '$form'"; return; } ;;
		file)
			case $file_name in
			"" | - | */* | .*) why="bad file name '$file_name'"; return ;;
			esac
			make_body "$number" "$form" "$dir/$file_name" || { why="bad section form '$form'"; return; } ;;
		*) why="unknown section '--- $kind'"; return ;;
		esac
	done <"$dir/.sections"

	read_header || return

	# The arguments are split as the shell would, in the case directory,
	# with $data and $fixtures naming the shipped data and the fixtures.
	(
		cd "$dir" || exit 99
		data=$data_dir
		fixtures=$fixtures_dir
		eval "set -- $args" || exit 98
		exec $timer "$descent" "$@" <"$stdin" >"$dir/.out" 2>"$dir/.err"
	)
	status=$?

	if [ "$status" -ne "$expected_status" ]; then
		why="exit status $status, expected $expected_status"
	fi
	while IFS= read -r pattern; do
		grep -Eq -- "$pattern" "$dir/.err" ||
			why="${why:+$why; }stderr does not match /$pattern/"
	done <"$dir/.patterns"
	if [ -n "$expected_lines" ]; then
		lines=$(wc -l <"$dir/.err")
		[ "$lines" -eq "$expected_lines" ] ||
			why="${why:+$why; }$lines stderr lines, expected $expected_lines"
	fi
	case $expected_stdout in
	empty)
		[ ! -s "$dir/.out" ] ||
			why="${why:+$why; }stdout not empty: $(head -c 160 "$dir/.out" | tr '\n' '|')" ;;
	any) ;;
	*)
		grep -Eq -- "$expected_stdout" "$dir/.out" ||
			why="${why:+$why; }stdout does not match /$expected_stdout/: $(head -c 160 "$dir/.out" | tr '\n' '|')" ;;
	esac
	if [ -n "$why" ]; then
		why="$why; stderr was: $(head -c 400 "$dir/.err" | tr '\n' '|')"
	else
		verdict=pass
	fi
}

# selected NAME: NAME is in $BAD_CASES, or no selection was made.
selected() {
	[ -z "${BAD_CASES:-}" ] && return 0
	for wanted in $BAD_CASES; do
		# shellcheck disable=SC2254  # the selection is a glob on purpose
		case $1 in
		$wanted) return 0 ;;
		esac
	done
	return 1
}

dir=$tmp/case
for file in "$catalogue"/*.case; do
	[ -e "$file" ] || { fail "no cases in $catalogue"; break; }
	name=${file##*/}
	name=${name%.case}
	selected "$name" || continue
	total=$((total + 1))
	run_case "$file"
	if [ -n "$xfail" ]; then
		if [ "$verdict" = pass ]; then
			xpasses=$((xpasses + 1))
			failures=$((failures + 1))
			echo "XPASS: $name: passes although marked xfail ($xfail): remove its xfail line" >&2
		else
			xfails=$((xfails + 1))
			echo "XFAIL: $name: $xfail ($why)"
		fi
	elif [ "$verdict" = pass ]; then
		passes=$((passes + 1))
		echo "PASS: $name"
	else
		fail "$name: $why"
	fi
done
echo "$total cases: $passes passed, $xfails xfail, $((failures - xpasses)) failed, $xpasses xpass"
[ "$total" -gt 0 ] || fail "no case selected"
finish
