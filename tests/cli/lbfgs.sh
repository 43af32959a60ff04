#!/bin/sh
# lbfgs.sh - L-BFGS reaches the exact minimum of a regularised logistic fit.
#
# tests/fixtures/lbfgs_optimum.csv holds F*, the minimum of
#     F(W, b) = mean binary cross-entropy + (0.01 / 2) |W|^2   (b not decayed)
# on standardised breast_cancer, found by Newton's method in float64
# (tests/reference/make_torch_fixtures.py).  descent's L-BFGS must end within
# a relative 1e-6 of it.  The epoch records report the data loss only, so the
# objective is rebuilt from the last epoch's train_loss and the weight
# records.  The gap reached is printed on stdout for the log.
. "$top_srcdir/tests/cli/lib.sh"

tolerance=1e-6
optimum=$(awk -F, '$1 == "objective" { print $2 }' "$fixtures/lbfgs_optimum.csv")
[ -n "$optimum" ] || fail "no objective in $fixtures/lbfgs_optimum.csv"

run "$data/breast_cancer.csv" -m logistic -o lbfgs --standardize --weight-decay 0.01 -e 100
expect_status 0 "lbfgs on breast_cancer"

state=$(awk -F, '$1 == "status" { print $2 }' "$tmp/out")
case $state in
completed | converged) ;;
*) fail "status record says '$state', expected completed or converged" ;;
esac

# The objective, the number of epoch records and of weight records.
set -- $(awk -F, '
	$1 == "epoch" { loss = $3; epochs++ }
	$1 == "weight" { squares += $5 * $5; weights++ }
	END { printf "%.17g %d %d\n", loss + 0.005 * squares, epochs, weights }
' "$tmp/out")
objective=$1 epochs=$2 weights=$3
[ "$epochs" -gt 0 ] || fail "no epoch records"
[ "$weights" -eq 30 ] || fail "$weights weight records, expected 30"

# The relative gap to F*, and whether it is within the tolerance.
set -- $(awk -v f="$objective" -v best="${optimum:-0}" -v tolerance="$tolerance" 'BEGIN {
	d = f - best; if (d < 0) d = -d
	gap = best > 0 ? d / best : d
	verdict = d <= tolerance * best ? "within" : "outside"
	printf "%.3g %s\n", gap, verdict
}')
gap=$1 verdict=$2
echo "lbfgs: F = $objective, F* = $optimum, relative gap $gap after $epochs epoch records"
[ "$verdict" = within ] ||
	fail "objective $objective is $gap away from the optimum $optimum (tolerance $tolerance)"

# A first step so long that no trial lowers the objective (--lr 1e308: the
# logistic loss stays finite out there, so nothing overflows) leaves the
# weights where they were: that is a failed line search, exit 3, never
# "converged" (issue 10).
run "$data/breast_cancer.csv" -m logistic -o lbfgs --standardize --lr 1e308 -e 3
expect_status 3 "lbfgs --lr 1e308"
grep -q '^status,line-search-failed,0$' "$tmp/out" ||
	fail "lbfgs --lr 1e308: status '$(grep '^status,' "$tmp/out")', expected 'status,line-search-failed,0'"
expect_stderr "line search found no step" "lbfgs --lr 1e308"
expect_stderr "try --lr 1 or smaller" "lbfgs --lr 1e308"
# The weights written are the starting ones (zeros), as after -e 0.
"$DESCENT" -q -m logistic -o lbfgs --standardize -e 0 <"$data/breast_cancer.csv" |
	grep -E '^(weight|bias),' >"$tmp/start"
grep -E '^(weight|bias),' "$tmp/out" | cmp -s - "$tmp/start" ||
	fail "lbfgs --lr 1e308: the weights written are not the starting ones"

finish
