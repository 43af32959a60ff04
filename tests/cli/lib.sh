# lib.sh - helpers sourced by every CLI test.
#
# The harness exports DESCENT (the built binary) and top_srcdir.  Each test
# checks one behaviour per "check" block, counts failures and ends with
# "finish", which exits 0 only when nothing failed.
set -u
: "${DESCENT:?DESCENT must name the built binary}"
: "${top_srcdir:?top_srcdir must be set}"
data=$top_srcdir/data
fixtures=$top_srcdir/tests/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/descent-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# run STDIN-FILE ARGS...: run descent, leaving $status, $tmp/out, $tmp/err.
run() {
	input=$1
	shift
	"$DESCENT" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# expect_status N WHAT: the last run exited with N.
expect_status() {
	[ "$status" -eq "$1" ] || fail "$2: exit status $status, expected $1 (stderr: $(cat "$tmp/err"))"
}

# expect_stderr TEXT WHAT: the last run's stderr contains TEXT.
expect_stderr() {
	grep -qF -- "$1" "$tmp/err" || fail "$2: stderr lacks '$1' (got: $(cat "$tmp/err"))"
}

# expect_no_stdout WHAT: the last run wrote nothing on stdout.
expect_no_stdout() {
	[ ! -s "$tmp/out" ] || fail "$1: stdout not empty: $(head -c 200 "$tmp/out")"
}

# close_enough A B RELTOL: |A-B| <= RELTOL * max(|A|,|B|, tiny).
close_enough() {
	awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a; mb = b < 0 ? -b : b; if (mb > m) m = mb
		if (m < 1e-300) m = 1e-300
		exit !(d <= tol * m)
	}'
}

# png_size FILE: "WIDTH HEIGHT" from the IHDR chunk, or nothing when FILE
# does not start with the PNG signature and an IHDR chunk.
png_size() {
	od -A n -t u1 -N 24 "$1" | tr -s ' \n' '  ' | awk '{
		if (NF < 24 || $1 != 137 || $2 != 80 || $3 != 78 || $4 != 71 ||
		    $5 != 13 || $6 != 10 || $7 != 26 || $8 != 10 ||
		    $13 != 73 || $14 != 72 || $15 != 68 || $16 != 82)
			exit
		print (($17 * 256 + $18) * 256 + $19) * 256 + $20, \
		      (($21 * 256 + $22) * 256 + $23) * 256 + $24
	}'
}

finish() {
	if [ "$failures" -eq 0 ]; then
		exit 0
	fi
	echo "$failures check(s) failed" >&2
	exit 1
}
