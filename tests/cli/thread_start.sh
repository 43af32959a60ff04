#!/bin/sh
# thread_start.sh - the first matrix product after the workers are created
# does not wait for a worker that has not run yet.
#
# A worker that first took the pool's lock after the training thread had
# handed out a job took that job's generation as already seen, never did
# its share, and both threads waited for ever (found while testing issue
# 10: about one run in two of this command hung).  Each run is bounded by
# timeout(1); a hang shows as status 124.
. "$top_srcdir/tests/cli/lib.sh"

for i in 1 2 3 4 5 6 7 8 9 10; do
	timeout 20 "$DESCENT" --threads 2 -q -m softmax -e 0 <"$data/diabetes.csv" >/dev/null 2>"$tmp/err"
	status=$?
	[ "$status" -eq 0 ] || fail "run $i: exit status $status (124: it hung) $(cat "$tmp/err")"
done
finish
