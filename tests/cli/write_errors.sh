#!/bin/sh
# write_errors.sh - failed writes are reported, a closed pipe is not.
#
# Writing to a full device is an I/O error: exactly "descent: write error"
# on stderr and exit 74, whatever was being written.  A reader that stops
# early (| head) must end descent quietly: killed by SIGPIPE (status 141 as
# the shell reports it) or a clean exit, never 74 and never a message.
# --save into a directory that does not exist fails with 73 (cannot
# create) before training and names the file; a successful --save leaves no temporary file behind.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv

# full WHAT ARGS...: descent ARGS > /dev/full fails with a write error.
full() {
	what=$1
	shift
	"$DESCENT" "$@" <"$diabetes" >/dev/full 2>"$tmp/err"
	status=$?
	expect_status 74 "$what > /dev/full"
	[ "$(cat "$tmp/err")" = "descent: write error" ] ||
		fail "$what > /dev/full: stderr is '$(cat "$tmp/err")', expected exactly 'descent: write error'"
}

if [ -w /dev/full ]; then
	full "training run" --standardize -e 5
	full "quiet training run" --standardize -e 5 -q
	full "--help" --help
	full "--version" --version
	run "$diabetes" --standardize -e 5 -q --save "$tmp/model.csv"
	expect_status 0 "training for the --predict model"
	full "--predict" --predict "$tmp/model.csv" -q
else
	echo "write_errors: /dev/full is not available, its checks skipped"
fi

# closed_pipe WHAT ARGS...: descent ARGS | head -n 1 ends quietly.  The
# status of descent is written to a file inside the pipeline (POSIX sh has
# no PIPESTATUS).
closed_pipe() {
	what=$1
	shift
	rm -f "$tmp/pipe_status"
	( "$DESCENT" "$@" <"$diabetes" 2>"$tmp/err"; echo $? >"$tmp/pipe_status" ) |
		head -n 1 >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "$what | head -n 1: $(wc -l <"$tmp/out") lines, expected 1"
	pipe_status=$(cat "$tmp/pipe_status" 2>/dev/null)
	case $pipe_status in
	0 | 141) ;;
	*) fail "$what | head -n 1: descent exited $pipe_status, expected 141 (SIGPIPE) or 0" ;;
	esac
	[ ! -s "$tmp/err" ] || fail "$what | head -n 1: stderr not empty: $(cat "$tmp/err")"
}

# A short run (its output may fit in the pipe before head closes it) and a
# long one (far more than a pipe holds: descent is still writing).
closed_pipe "short run" --standardize -e 5
closed_pipe "long run" --standardize -e 20000

# --save where the file cannot be created.
run "$diabetes" --standardize -e 2 --save "$tmp/no/such/directory/model.csv"
expect_status 73 "--save into a directory that does not exist"
expect_no_stdout "--save into a directory that does not exist"
expect_stderr "$tmp/no/such/directory/model.csv" "--save failure message names the file"

# A successful --save leaves exactly the model in its directory.
mkdir "$tmp/saved"
run "$diabetes" --standardize -e 2 --save "$tmp/saved/model.csv"
expect_status 0 "--save into an empty directory"
left=$(ls -A "$tmp/saved" | tr "\n" " ")
[ "$left" = "model.csv " ] || fail "--save left '$left' in its directory, expected only model.csv"

finish
