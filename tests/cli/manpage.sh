#!/bin/sh
# manpage.sh - the manual page documents everything the binary offers.
#
# "descent --help" is built from the registries, so it is the feature list:
# every long option, short option, model, optimizer and schedule it names
# must appear in man/descent.1.  Options are looked for in their roff form
# with escaped hyphens (\-\-batch\-size), so an option written with plain
# hyphens, which man renders wrongly on some terminals, counts as missing.
# The page must format without warnings when groff or mandoc is installed,
# and every line of its EXAMPLES section that starts in column one with
# "descent " is run against the shipped data, so examples cannot drift from
# what the program accepts.
. "$top_srcdir/tests/cli/lib.sh"

manpage=$top_srcdir/man/descent.1

if [ ! -r "$manpage" ]; then
	fail "man page $manpage is missing"
	finish
fi

# The page's text with roff comments dropped and the escapes that matter
# here undone, for looking up names: \fB..\fR fonts, \- hyphens, \(aq and
# \(dq quotes, \& zero-width marks, and \e backslashes (last).
plain_text() {
	sed -e '/^\.\\"/d' \
	    -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[A-Z]*\]//g' \
	    -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' \
	    -e 's/\\e/\\/g' "$manpage"
}
plain_text >"$tmp/man.txt"

# --- --help and --version: exit 0, on stdout, nothing on stderr ----------

for option in --help -h --version -V; do
	"$DESCENT" "$option" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
	expect_status 0 "descent $option"
	[ -s "$tmp/out" ] || fail "descent $option wrote nothing on stdout"
	[ ! -s "$tmp/err" ] || fail "descent $option wrote on stderr: $(cat "$tmp/err")"
	case $option in
	--help) cp "$tmp/out" "$tmp/help" ;;
	--version) cp "$tmp/out" "$tmp/version" ;;
	esac
done

# The version in the page's header is the version the binary reports.
version=$(head -n 1 "$tmp/version")
case $version in
"descent "*) ;;
*) fail "--version does not start with 'descent ': $version" ;;
esac
grep '^\.TH ' "$manpage" | grep -qF "\"$version\"" ||
	fail ".TH line does not name \"$version\": $(grep '^\.TH ' "$manpage")"

# --- options -------------------------------------------------------------

# Long options: "--batch-size" must appear as "\-\-batch\-size", not as the
# start of a longer option.
grep -oE -- '--[a-z0-9][a-z0-9-]*' "$tmp/help" | sort -u >"$tmp/long"
[ -s "$tmp/long" ] || fail "no long options found in --help"
while read -r option; do
	roff=$(printf '%s\n' "$option" | sed 's/-/\\-/g')
	pattern=$(printf '%s\n' "$roff" | sed 's/\\/\\\\/g')
	grep -qE -- "$pattern(\$|[^a-z0-9\\\\]|\\\\[^-])" "$manpage" ||
		fail "long option $option (roff: $roff) is not in the man page"
done <"$tmp/long"

# Short options: "-m" as a word of its own in --help, "\-m" in the page,
# neither the tail of "\-\-" nor the start of a longer word.
grep -oE -- '(^|[[:space:],])-[A-Za-z]([[:space:],=]|$)' "$tmp/help" |
	sed 's/.*-\([A-Za-z]\).*/\1/' | sort -u >"$tmp/short"
[ -s "$tmp/short" ] || fail "no short options found in --help"
while read -r letter; do
	grep -qE -- "(^|[^-])\\\\-$letter(\$|[^A-Za-z0-9])" "$manpage" ||
		fail "short option -$letter (roff: \\-$letter) is not in the man page"
done <"$tmp/short"

# Hyphens in options must be escaped: a raw "--" outside comments would
# render as a dash (or not be found by searches) on some systems.
if grep -v '^\.\\"' "$manpage" | grep -n -- '--' >"$tmp/raw"; then
	fail "unescaped '--' in the man page: $(cat "$tmp/raw")"
fi

# --- models, optimizers, schedules ---------------------------------------

# From lines such as "Optimizers: sgd momentum ..." print "Optimizers sgd",
# one name per line.  Only the heading line itself is read: the lines
# under it describe the names in free text.
awk '
	/^[ \t]*(Models|Optimizers|Schedules):/ {
		kind = $0
		sub(/^[ \t]*/, "", kind)
		sub(/:.*/, "", kind)
		rest = $0
		sub(/^[ \t]*[A-Za-z]+:/, "", rest)
		n = split(rest, words, /[ \t,]+/)
		for (i = 1; i <= n; i++)
			if (words[i] != "")
				print kind, words[i]
	}
' "$tmp/help" >"$tmp/names"

for kind in Models Optimizers Schedules; do
	grep -q "^$kind " "$tmp/names" ||
		fail "--help has no '$kind:' line to check the man page against"
done

while read -r kind form; do
	# A schedule is listed with its parameters ("step:EVERY:FACTOR",
	# "cosine[:MIN_LR]"): the page must show that form, and the bare name.
	name=${form%%[:[]*}
	case $name in
	*[!a-z0-9-]* | "")
		fail "$kind: unexpected name '$form' in --help"
		continue
		;;
	esac
	grep -qE -- "(^|[^A-Za-z0-9_-])$name([^A-Za-z0-9_-]|\$)" "$tmp/man.txt" ||
		fail "$kind: '$name' is not in the man page"
	if [ "$form" != "$name" ]; then
		grep -qF -- "$form" "$tmp/man.txt" ||
			fail "$kind: '$form' (as --help writes it) is not in the man page"
	fi
done <"$tmp/names"

# --- formatting ----------------------------------------------------------

if command -v groff >/dev/null 2>&1; then
	groff -man -Tutf8 -ww -z "$manpage" >"$tmp/format" 2>&1 ||
		fail "groff cannot format the man page: $(cat "$tmp/format")"
	[ ! -s "$tmp/format" ] || fail "groff -ww warns: $(cat "$tmp/format")"
elif command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$manpage" >"$tmp/format" 2>&1 ||
		fail "mandoc -Tlint warns: $(cat "$tmp/format")"
else
	echo "SKIP: neither groff nor mandoc is installed; formatting not checked" >&2
fi

# --- EXAMPLES ------------------------------------------------------------

# Each "descent ..." line runs up to its first pipe or ";" in a scratch
# directory that sees the shipped data as data/, in page order, so that an
# example may read the run.out an earlier one wrote.  It must exit 0, or 3
# for an example that shows divergence.
sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$manpage" | grep '^descent ' |
	sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\&//g' \
	    -e 's/\\e/\\/g' >"$tmp/examples"
[ -s "$tmp/examples" ] || fail "no 'descent ' lines found in EXAMPLES"

case $DESCENT in
/*) binary=$DESCENT ;;
*) binary=$PWD/$DESCENT ;;
esac
mkdir "$tmp/bin" "$tmp/work"
ln -s "$binary" "$tmp/bin/descent"
ln -s "$(cd "$data" && pwd)" "$tmp/work/data"
while IFS= read -r line; do
	command=${line%%[|;]*}
	(cd "$tmp/work" && PATH="$tmp/bin:$PATH" sh -c "$command") \
		</dev/null >"$tmp/example.out" 2>"$tmp/example.err"
	status=$?
	case $status in
	0 | 3) ;;
	*) fail "example exits $status: $command (stderr: $(head -c 300 "$tmp/example.err"))" ;;
	esac
done <"$tmp/examples"

finish
