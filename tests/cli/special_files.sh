#!/bin/sh
# special_files.sh - --save onto something that is not a regular file
# (issue 10).
#
# A character device or a FIFO is written through: renaming a temporary
# file over it, as a save onto a regular file does, would replace the
# device or the FIFO itself (as root, --save /dev/null once turned
# /dev/null into a regular file).  A symbolic link is followed: the file it
# points to is replaced, in that file's directory, and the link stays a
# link.  No temporary file is ever left behind.
#
# /dev/null itself is tried only after a private device node made the same
# way has survived, so a binary that replaces device nodes never touches
# the machine's /dev/null.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv

# saved WHAT FILE: FILE holds a whole model (status record to end record).
saved() {
	head -n 1 "$2" | grep -q '^status,completed,2$' || fail "$1: no status record first in $2"
	grep -q '^end,[0-9][0-9]*$' "$2" || fail "$1: no end record in $2"
}

# no_temporary WHAT DIR: no .descent-XXXXXX file left in DIR.
no_temporary() {
	leftover=$(find "$2" -maxdepth 1 -name '.descent-*' | head -n 1)
	[ -z "$leftover" ] || fail "$1: temporary file left behind: $leftover"
}

# ---------------------------------------------------------------------
# A FIFO: the model goes to its reader, and the FIFO stays one.

mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from_fifo" &
reader=$!
run "$diabetes" -q --standardize -e 2 --save "$tmp/fifo"
expect_status 0 "--save FIFO"
if [ -p "$tmp/fifo" ]; then
	wait "$reader"
	saved "--save FIFO" "$tmp/from_fifo"
else
	fail "--save FIFO: the FIFO was replaced"
	kill "$reader" 2>/dev/null     # still waiting for a writer that will never come
	wait "$reader" 2>/dev/null
fi
no_temporary "--save FIFO" "$tmp"

# ---------------------------------------------------------------------
# Symbolic links: relative, through a chain, and dangling.

mkdir "$tmp/real" "$tmp/links"
echo old >"$tmp/real/model.csv"
ln -s ../real/model.csv "$tmp/links/model.csv"
run "$diabetes" -q --standardize -e 2 --save "$tmp/links/model.csv"
expect_status 0 "--save symbolic link"
[ -L "$tmp/links/model.csv" ] || fail "--save symbolic link: the link was replaced by a file"
saved "--save symbolic link" "$tmp/real/model.csv"
no_temporary "--save symbolic link" "$tmp/links"
no_temporary "--save symbolic link" "$tmp/real"

ln -s model.csv "$tmp/links/chain.csv"
run "$diabetes" -q --standardize -e 2 --save "$tmp/links/chain.csv"
expect_status 0 "--save chain of links"
[ -L "$tmp/links/chain.csv" ] && [ -L "$tmp/links/model.csv" ] ||
	fail "--save chain of links: a link was replaced"
saved "--save chain of links" "$tmp/real/model.csv"

ln -s "$tmp/real/new.csv" "$tmp/links/dangling.csv"
run "$diabetes" -q --standardize -e 2 --save "$tmp/links/dangling.csv"
expect_status 0 "--save dangling link"
[ -L "$tmp/links/dangling.csv" ] || fail "--save dangling link: the link was replaced"
[ -f "$tmp/real/new.csv" ] && saved "--save dangling link" "$tmp/real/new.csv" ||
	fail "--save dangling link: the file it names was not created"
no_temporary "--save dangling link" "$tmp/links"
no_temporary "--save dangling link" "$tmp/real"

# --save-state goes the same way.
run "$diabetes" -q --standardize -e 2 --save "$tmp/links/model.csv" --save-state
expect_status 0 "--save-state symbolic link"
[ -L "$tmp/links/model.csv" ] || fail "--save-state symbolic link: the link was replaced"
grep -q '^state,' "$tmp/real/model.csv" || fail "--save-state symbolic link: no state records"

# ---------------------------------------------------------------------
# A character device: a private copy of /dev/null first (making one
# needs root), then /dev/null itself.

if mknod -m 666 "$tmp/null" c 1 3 2>/dev/null; then
	run "$diabetes" -q --standardize -e 2 --save "$tmp/null"
	expect_status 0 "--save device node"
	if [ -c "$tmp/null" ]; then
		run "$diabetes" -q --standardize -e 2 --save /dev/null
		expect_status 0 "--save /dev/null"
		if [ ! -c /dev/null ]; then
			fail "--save /dev/null: /dev/null is no longer a character device"
			rm -f /dev/null && mknod -m 666 /dev/null c 1 3
		fi
	else
		fail "--save device node: the device node was replaced (so /dev/null is not tried)"
	fi
	no_temporary "--save device node" "$tmp"
else
	echo "special_files.sh: not root, device nodes not tried"
fi
finish
