#!/bin/sh
# torch_reference.sh - descent's training losses agree with PyTorch's.
#
# tests/fixtures/torch_losses.csv holds, for 80 configurations (10
# optimizers x linear on diabetes and logistic on breast_cancer x full batch
# and mini-batches of 32 in file order x weight decay 0 and 0.01), the mean
# training loss before any step and after each of 15 epochs, computed in
# float64 by torch.optim (tests/reference/make_torch_fixtures.py).  Every
# configuration is run through descent and every epoch's train_loss must
# match to a relative 1e-9: the update rules are the same, so only rounding
# may differ.
#
# Each optimizer runs at its default step size except adadelta-w, run at
# --lr 0.1: at its default 1.0 that rule is unstable on the logistic problem
# (the loss climbs to 1e4 in 15 epochs) and amplifies rounding ~1e10-fold, so
# no two correct implementations could agree there.
#
# The worst relative error is printed on stdout for the log.
. "$top_srcdir/tests/cli/lib.sh"

reference=$fixtures/torch_losses.csv
tolerance=1e-9
expected_configurations=80

# The configurations, one per line: model optimizer lr batch_size weight_decay.
awk -F, 'NR > 1 && !seen[$1 FS $2 FS $3 FS $4 FS $5]++ { print $1, $2, $3, $4, $5 }' \
	"$reference" >"$tmp/configurations"

# Every run's output goes into one file, each behind a "run," line naming its
# configuration, so that one awk (compare_losses.awk) compares them all.
runs=$tmp/runs
: >"$runs"
while read -r model optimizer lr batch_size weight_decay; do
	case $model in
	linear) input=$data/diabetes.csv ;;
	logistic) input=$data/breast_cancer.csv ;;
	*)
		fail "fixture names an unknown model '$model'"
		continue
		;;
	esac
	# Mini-batches of 32 in file order, as the reference took them.
	order=
	[ "$batch_size" -eq 0 ] || order=--no-shuffle
	run "$input" -m "$model" -o "$optimizer" -l "$lr" -b "$batch_size" $order --standardize \
		-e 15 --weight-decay "$weight_decay"
	expect_status 0 "$model $optimizer -l $lr -b $batch_size --weight-decay $weight_decay"
	echo "run,$model,$optimizer,$lr,$batch_size,$weight_decay" >>"$runs"
	cat "$tmp/out" >>"$runs"
done <"$tmp/configurations"

mismatches=$tmp/mismatches
: >"$mismatches"
awk -v keys=1,2,3,4,5 -v epoch_field=6 -v loss_field=7 -v tolerance="$tolerance" \
	-v mismatches="$mismatches" -f "$top_srcdir/tests/cli/compare_losses.awk" \
	"$reference" "$runs"
cat "$mismatches" >&2
failures=$((failures + $(grep -c '^FAIL' "$mismatches")))

complete=0 compared=0
read -r complete compared 2>/dev/null <"$mismatches.complete"
[ "${complete:-0}" -eq "$expected_configurations" ] ||
	fail "compared ${complete:-0} configurations in full, expected $expected_configurations"

finish
