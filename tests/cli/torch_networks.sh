#!/bin/sh
# torch_networks.sh - descent's network models train as PyTorch's do.
#
# tests/fixtures/torch_networks.csv holds, for 24 configurations, the mean
# training loss (softmax cross-entropy) before any step and after each of 10
# epochs, computed in float64 with torch.optim
# (tests/reference/make_torch_network_fixtures.py):
#   - softmax regression (no hidden layer) from zero weights on iris,
#     standardised;
#   - three networks with hidden layers 16,16 on wine (tanh; relu; relu with
#     --residual, which skips around the second hidden layer), each started
#     from the initial model descent wrote to
#     tests/fixtures/network_init_{tanh,relu,relu_residual}.csv;
# each trained by sgd, momentum and adam, full batch (--lr 0.1, 0.05, 0.01)
# and mini-batches of 16 in file order (--lr 0.05, 0.01, 0.01); the fixture
# records each configuration's --lr.  Every epoch's train_loss must match
# to a relative 1e-9: the forward pass, the gradients and the update rules
# are the same, so only rounding may differ.
#
# The worst relative error is printed on stdout for the log.
. "$top_srcdir/tests/cli/lib.sh"

reference=$fixtures/torch_networks.csv
tolerance=1e-9
expected_configurations=24
epochs=10
expected_losses=$((expected_configurations * (epochs + 1)))

# The configurations, one per line: data init optimizer lr batch_size.
awk -F, 'NR > 1 && !seen[$1 FS $2 FS $6 FS $7 FS $8]++ { print $1, $2, $6, $7, $8 }' \
	"$reference" >"$tmp/configurations"

# Every run's output goes into one file, each behind a "run," line naming its
# configuration, so that one awk (compare_losses.awk) compares them all.
runs=$tmp/runs
: >"$runs"
while read -r dataset init optimizer lr batch_size; do
	order=
	[ "$batch_size" -eq 0 ] || order=--no-shuffle
	case $dataset,$init in
	iris,zero)
		run "$data/iris.csv" -m softmax -o "$optimizer" -l "$lr" -b "$batch_size" $order \
			--standardize -e "$epochs"
		;;
	wine,tanh | wine,relu | wine,relu_residual)
		run "$data/wine.csv" -m softmax --init "$fixtures/network_init_$init.csv" \
			-o "$optimizer" -l "$lr" -b "$batch_size" $order -e "$epochs"
		;;
	*)
		fail "fixture names an unknown problem '$dataset,$init'"
		continue
		;;
	esac
	expect_status 0 "$dataset $init $optimizer -l $lr -b $batch_size"
	echo "run,$dataset,$init,$optimizer,$lr,$batch_size" >>"$runs"
	cat "$tmp/out" >>"$runs"
done <"$tmp/configurations"

mismatches=$tmp/mismatches
: >"$mismatches"
awk -v keys=1,2,6,7,8 -v epoch_field=9 -v loss_field=10 -v tolerance="$tolerance" \
	-v mismatches="$mismatches" -f "$top_srcdir/tests/cli/compare_losses.awk" \
	"$reference" "$runs"
cat "$mismatches" >&2
failures=$((failures + $(grep -c '^FAIL' "$mismatches")))

complete=0 compared=0
read -r complete compared 2>/dev/null <"$mismatches.complete"
[ "${complete:-0}" -eq "$expected_configurations" ] ||
	fail "compared ${complete:-0} configurations in full, expected $expected_configurations"
[ "${compared:-0}" -eq "$expected_losses" ] ||
	fail "compared ${compared:-0} losses, expected $expected_losses (epochs 0..$epochs each)"

finish
