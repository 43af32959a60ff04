#!/bin/sh
# schedule.sh - step-size schedules, warm-up, plateau cuts, early stopping.
#
# The lr column of an epoch record is the step size in force at the
# epoch's last step (epoch 0: at the first step), so each schedule's
# sequence is visible in the output.  Where the expected value is an exact
# product of powers of two with --lr it is compared as text; where it goes
# through cos or a division it is compared to 1e-12 relative, which lets
# an algebraically equal formula round differently but catches any
# off-by-one in epochs or steps.
. "$top_srcdir/tests/cli/lib.sh"

diabetes=$data/diabetes.csv

# lr_column ARGS...: the "epoch:lr" pairs of a standardised diabetes run.
lr_column() {
	run "$diabetes" --standardize "$@"
	expect_status 0 "descent $*"
	awk -F, '$1 == "epoch" { printf "%s%s:%s", sep, $2, $7; sep = " " }' "$tmp/out"
}

# exact_lr WHAT EXPECTED ARGS...: the pairs are exactly EXPECTED.
exact_lr() {
	what=$1
	expected=$2
	shift 2
	got=$(lr_column "$@")
	[ "$got" = "$expected" ] || fail "$what: lr column '$got', expected '$expected'"
}

# close_lr WHAT EXPECTED ARGS...: the pairs match EXPECTED to 1e-12.
close_lr() {
	what=$1
	expected=$2
	shift 2
	got=$(lr_column "$@")
	awk -v got="$got" -v expected="$expected" 'BEGIN {
		n = split(got, g, " "); m = split(expected, e, " ")
		if (n != m) exit 1
		for (i = 1; i <= n; i++) {
			split(g[i], a, ":"); split(e[i], b, ":")
			if (a[1] != b[1]) exit 1
			d = a[2] - b[2]; if (d < 0) d = -d
			s = b[2] < 0 ? -b[2] : b[2]
			if (d > 1e-12 * s) exit 1
		}
	}' || fail "$what: lr column '$got', expected '$expected'"
}

# ---------------------------------------------------------------------
# Epoch-based schedules.

exact_lr "step:2:0.5" \
	"0:0.1 1:0.1 2:0.1 3:0.05 4:0.05 5:0.025 6:0.025" \
	--schedule step:2:0.5 --lr 0.1 -e 6

exact_lr "exp:0.5" \
	"0:0.1 1:0.1 2:0.05 3:0.025 4:0.0125 5:0.00625 6:0.003125" \
	--schedule exp:0.5 --lr 0.1 -e 6

# cosine: MIN + (lr - MIN) (1 + cos(pi (epoch - 1) / epochs)) / 2.  The
# first epoch uses lr itself, exactly.
expected=$(awk 'BEGIN {
	lr = 0.1; low = 0.001; epochs = 4; pi = atan2(0, -1)
	printf "0:%.17g", lr
	for (e = 1; e <= epochs; e++)
		printf " %d:%.17g", e, low + (lr - low) * (1 + cos(pi * (e - 1) / epochs)) / 2
}')
close_lr "cosine:0.001" "$expected" --schedule cosine:0.001 --lr 0.1 -e 4
first=$(awk -F, '$1 == "epoch" && $2 == 1 { print $7 }' "$tmp/out")
[ "$first" = 0.1 ] || fail "cosine:0.001: epoch 1 lr '$first', expected exactly 0.1"

# ---------------------------------------------------------------------
# Step-based: cyclic and warm-up, with one step per epoch (-b 0), so epoch
# e ends at step e.

# Triangle between LOW and HIGH, HALF_PERIOD steps up, then down, from
# step 1 at LOW: with 0.001, 0.01, 5 it peaks at step 6 and is back at
# LOW at step 11.
expected=$(awk 'BEGIN {
	low = 0.001; high = 0.01; half = 5
	for (e = 0; e <= 14; e++) {
		k = (e < 1 ? 1 : e) - 1
		position = k % (2 * half)
		rise = position <= half ? position / half : (2 * half - position) / half
		printf "%s%d:%.17g", e ? " " : "", e, low + (high - low) * rise
	}
}')
close_lr "cyclic:0.001:0.01:5 -b 0" "$expected" --schedule cyclic:0.001:0.01:5 -b 0 -e 14
peak=$(awk -F, '$1 == "epoch" && $2 == 6 { print $7 }' "$tmp/out")
[ "$peak" = 0.01 ] || fail "cyclic: the peak at step 6 is '$peak', expected exactly HIGH 0.01"
bottom=$(awk -F, '$1 == "epoch" && $2 == 11 { print $7 }' "$tmp/out")
[ "$bottom" = 0.001 ] || fail "cyclic: step 11 is '$bottom', expected exactly LOW 0.001"

# Warm-up over 4 steps: lr/4, lr/2, 3lr/4, then lr.
close_lr "--warmup 4 -b 0" \
	"0:0.025 1:0.025 2:0.05 3:0.075 4:0.1 5:0.1 6:0.1" \
	--warmup 4 --lr 0.1 -b 0 -e 6

# Warm-up composes with a schedule by multiplying it.
close_lr "--warmup 2 with exp:0.5" \
	"0:0.05 1:0.05 2:0.05 3:0.025 4:0.0125" \
	--warmup 2 --schedule exp:0.5 --lr 0.1 -b 0 -e 4

# ---------------------------------------------------------------------
# plateau: a data set the zero initial model already fits exactly (target
# 0 everywhere), so the loss is 0 at every epoch and never improves.  The
# trainer reports epoch 0's loss, which becomes the first best; with
# PATIENCE 1 the cut comes after 2 epochs without improvement, then the
# count starts again.

awk 'BEGIN { print "a,b,y"; for (i = 1; i <= 20; i++) print i "," (i * 7) % 5 ",0" }' >"$tmp/flat.csv"
run "$tmp/flat.csv" --schedule plateau:1:0.5 --lr 0.1 -e 8
expect_status 0 "plateau:1:0.5 on a flat loss"
got=$(awk -F, '$1 == "epoch" { printf "%s%s:%s", sep, $2, $7; sep = " " }' "$tmp/out")
expected="0:0.1 1:0.1 2:0.1 3:0.05 4:0.05 5:0.025 6:0.025 7:0.0125 8:0.0125"
[ "$got" = "$expected" ] || fail "plateau:1:0.5 on a flat loss: lr column '$got', expected '$expected'"

# A loss that keeps falling fast is never cut.
exact_lr "plateau:1:0.5 on a falling loss" \
	"0:0.1 1:0.1 2:0.1 3:0.1 4:0.1 5:0.1" \
	--schedule plateau:1:0.5 --lr 0.1 -b 0 -e 5

# ---------------------------------------------------------------------
# --patience: heavy-ball momentum with lr 0.1 on full-batch standardised
# diabetes overshoots: the loss falls for 3 epochs, then climbs.  Training
# stops after 2 epochs without improvement and writes the best epoch's
# weights.

# early_stop WHAT ARGS...: the run stops early at its best epoch.
early_stop() {
	what=$1
	shift
	run "$diabetes" --standardize --patience 2 -e 30 --save "$tmp/best.csv" "$@"
	expect_status 0 "$what"
	# shellcheck disable=SC2046  # four words, split on purpose
	set -- $(awk -F, '
		$1 == "epoch" { count++; last = $2; if (count == 1 || $3 < best) { best = $3; at = $2 } }
		END { printf "%d %d %d %.17g\n", count, last, at, best }' "$tmp/out")
	records=$1 last=$2 best_epoch=$3 best_loss=$4
	state=$(grep '^status,' "$tmp/out")
	[ "$state" = "status,early-stopped,$best_epoch" ] ||
		fail "$what: '$state', expected 'status,early-stopped,$best_epoch' (the epoch of the lowest loss)"
	[ "$records" -lt 31 ] || fail "$what: $records epoch records, expected fewer than 31"
	[ "$last" -eq $((best_epoch + 2)) ] ||
		fail "$what: last epoch record $last, expected $((best_epoch + 2)) (best epoch + patience)"
	# The weights written are the best epoch's: their loss is the best loss.
	"$DESCENT" --predict "$tmp/best.csv" -q <"$diabetes" >"$tmp/predictions" 2>"$tmp/err" ||
		fail "$what: --predict with the early-stopped model failed: $(cat "$tmp/err")"
	mse=$(sed 1d "$diabetes" | awk -F, '{ print $NF }' | paste -d, "$tmp/predictions" - |
		awk -F, '{ d = $1 - $2; sum += d * d } END { printf "%.17g\n", NR ? sum / NR : -1 }')
	close_enough "$mse" "$best_loss" 1e-9 ||
		fail "$what: loss of the written weights $mse, expected the best epoch's $best_loss"
}

early_stop "--patience 2, momentum lr 0.1 full batch" -o momentum -l 0.1 -b 0
[ "$best_epoch" -eq 3 ] || fail "momentum lr 0.1: best epoch $best_epoch, expected 3 (loss falls, then climbs)"

# Mini-batch noise around the minimum stops a slow run too.
early_stop "--patience 2, sgd mini-batches" -o sgd -l 0.01 -b 16 -s 7

# --patience 0 (the default) never stops early.
run "$diabetes" --standardize -o momentum -l 0.1 -b 0 -e 30
expect_status 0 "momentum lr 0.1 without --patience"
[ "$(grep -c '^epoch,' "$tmp/out")" -eq 31 ] ||
	fail "without --patience: $(grep -c '^epoch,' "$tmp/out") epoch records, expected 31"
grep -q '^status,completed,30$' "$tmp/out" ||
	fail "without --patience: '$(grep '^status,' "$tmp/out")', expected 'status,completed,30'"

finish
