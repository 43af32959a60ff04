#!/bin/sh
# rotate.sh - --rotate and --probe symmetry (SPEC section 9).
#
# A rotation of the inputs changes nothing for full-batch sgd (the loss of
# every epoch agrees to 1e-10) but changes adam's path; the rotation is
# kept with the model, so --predict and --init apply it.  --probe symmetry
# writes one record per symmetry of the hidden units: permutations and relu
# rescalings keep the loss (to 1e-12), rescalings change the gradient
# norm, and with --residual only the permutation shared along the skips
# keeps it.
. "$top_srcdir/tests/cli/lib.sh"

# at_most X LIMIT: the number X is at most LIMIT.
at_most() {
	awk -v x="$1" -v limit="$2" 'BEGIN { exit !(x <= limit) }'
}

# worst_epoch_difference A B: the largest relative difference of the
# train_loss of two runs' epoch records, epoch by epoch ("count" when the
# numbers of epochs differ).
worst_epoch_difference() {
	grep '^epoch,' "$1" | cut -d, -f2,3 >"$tmp/a.loss"
	grep '^epoch,' "$2" | cut -d, -f2,3 >"$tmp/b.loss"
	paste -d, "$tmp/a.loss" "$tmp/b.loss" | awk -F, -v na="$(wc -l <"$tmp/a.loss")" \
		-v nb="$(wc -l <"$tmp/b.loss")" '
		$1 != $3 { bad = 1 }
		{ d = $2 - $4; if (d < 0) d = -d; m = $2 < 0 ? -$2 : $2; if (m < 1e-300) m = 1e-300
		  if (d / m > worst) worst = d / m }
		END { if (bad || na != nb || na == 0) print "count"; else printf "%.3g\n", worst }'
}

# sgd, full batch: rotation invariant, epoch by epoch.
for config in "logistic breast_cancer" "linear diabetes"; do
	set -- $config
	run "$data/$2.csv" -m "$1" --standardize -o sgd -b 0 -e 20
	expect_status 0 "$1 sgd unrotated"
	cp "$tmp/out" "$tmp/plain.out"
	run "$data/$2.csv" -m "$1" --standardize -o sgd -b 0 -e 20 --rotate
	expect_status 0 "$1 sgd rotated"
	cp "$tmp/out" "$tmp/rotated.out"
	worst=$(worst_epoch_difference "$tmp/plain.out" "$tmp/rotated.out")
	[ "$worst" != count ] && at_most "$worst" 1e-10 ||
		fail "$1 sgd -b 0: rotated losses differ from the unrotated by $worst"
	echo "$1 sgd -b 0, 20 epochs: worst relative difference rotated/unrotated $worst"
	grep -qE '^# descent.* --rotate=1( |$)' "$tmp/rotated.out" ||
		fail "$1: the configuration comment lacks --rotate=1"
	# adam rescales each coordinate: a rotation changes its path.
	run "$data/$2.csv" -m "$1" --standardize -o adam -b 0 -e 20
	cp "$tmp/out" "$tmp/adam_plain.out"
	run "$data/$2.csv" -m "$1" --standardize -o adam -b 0 -e 20 --rotate
	worst=$(worst_epoch_difference "$tmp/adam_plain.out" "$tmp/out")
	[ "$worst" != count ] && ! at_most "$worst" 1e-6 ||
		fail "$1 adam: rotated losses do not differ (worst $worst)"
	echo "$1 adam -b 0, 20 epochs: worst relative difference rotated/unrotated $worst"
done

# The rotation is d x d records with the model, the default seed is --seed.
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 20 --rotate --save "$tmp/rotated.model"
expect_status 0 "save rotated"
cp "$tmp/out" "$tmp/rotated.out"
[ "$(grep -c '^rotation,' "$tmp/rotated.model")" -eq 900 ] ||
	fail "a rotation of 30 inputs is not 900 rotation records"
awk -F, '$1 == "rotation" { n++; if ($2 != int((n - 1) / 30) + 1 || $3 != (n - 1) % 30 + 1) bad = 1 }
	END { exit bad }' "$tmp/rotated.model" || fail "rotation records out of row-major order"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 1 -s 5 --rotate -q
grep '^rotation,' "$tmp/out" >"$tmp/seed5"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 1 --rotate=5 -q
grep '^rotation,' "$tmp/out" >"$tmp/rotate5"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 1 --rotate=6 -q
grep '^rotation,' "$tmp/out" >"$tmp/rotate6"
cmp -s "$tmp/seed5" "$tmp/rotate5" || fail "--rotate=5 differs from --rotate with --seed 5"
! cmp -s "$tmp/rotate5" "$tmp/rotate6" || fail "--rotate=5 and --rotate=6 draw the same rotation"
# Q^T Q = I as written (17 digits).
awk -F, '$1 == "rotation" { q[$2, $3] = $4; d = $2 }
	END { for (i = 1; i <= d; i++) for (j = 1; j <= d; j++) {
		s = 0; for (k = 1; k <= d; k++) s += q[k, i] * q[k, j]
		e = s - (i == j); if (e < 0) e = -e; if (e > worst) worst = e }
	      exit worst > 1e-12 }' "$tmp/rotated.model" || fail "the written rotation is not orthogonal"

# --predict applies the rotation: its accuracy is the last epoch's, and its
# labels are those of the unrotated model (sgd full batch).
run "$data/breast_cancer.csv" --predict "$tmp/rotated.model"
expect_status 0 "predict rotated"
cp "$tmp/out" "$tmp/rotated.predictions"
accuracy=$(grep '^epoch,20,' "$tmp/rotated.out" | cut -d, -f5)
reported=$(sed -n 's/^accuracy  \([^ ]*\) (.*/\1/p' "$tmp/err")
close_enough "$accuracy" "$reported" 1e-5 ||
	fail "predict with the rotated model: accuracy $reported, training said $accuracy"
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 20 --save "$tmp/plain.model" -q
run "$data/breast_cancer.csv" --predict "$tmp/plain.model"
cmp -s "$tmp/out" "$tmp/rotated.predictions" ||
	fail "rotated and unrotated sgd models predict different labels"
run "$data/breast_cancer.csv" --predict "$tmp/plain.model" --probabilities -q
cp "$tmp/out" "$tmp/plain.probabilities"
run "$data/breast_cancer.csv" --predict "$tmp/rotated.model" --probabilities -q
worst=$(paste -d, "$tmp/plain.probabilities" "$tmp/out" | awk -F, '
	{ d = $1 - $3; if (d < 0) d = -d; if (d > w) w = d } END { printf "%.3g\n", w }')
at_most "$worst" 1e-9 || fail "rotated and unrotated probabilities differ by $worst"
echo "predict: rotated vs unrotated sgd probabilities differ by at most $worst"
# --init keeps the rotation: epoch 0 is the saved run's last loss.
run "$data/breast_cancer.csv" --init "$tmp/rotated.model" -o sgd -b 0 -e 0
expect_status 0 "init from the rotated model"
close_enough "$(grep '^epoch,0,' "$tmp/out" | cut -d, -f3)" \
	"$(grep '^epoch,20,' "$tmp/rotated.out" | cut -d, -f3)" 1e-15 ||
	fail "--init from a rotated model: epoch 0 is not the saved run's last loss"
grep -q '^rotation,' "$tmp/out" || fail "--init dropped the rotation from the model"
run "$data/breast_cancer.csv" --init "$tmp/plain.model" --rotate -e 1
expect_status 64 "--rotate with an unrotated --init model"
expect_stderr "--rotate conflicts with" "--rotate with an unrotated --init model"
# --validation rows are rotated too: the same file as validation gives the training loss.
run "$data/breast_cancer.csv" -m logistic --standardize -o sgd -b 0 -e 3 --rotate --validation "$data/breast_cancer.csv"
expect_status 0 "rotated with --validation"
awk -F, '$1 == "epoch" && $3 != $4 { bad = 1 } END { exit bad }' "$tmp/out" ||
	fail "rotated: the validation loss on the training file differs from the training loss"

# A model file with a wrong number of rotation records is refused.
awk -F, 'BEGIN { OFS = "," } $1 == "rotation" && $2 == 2 && $3 == 2 { dropped = 1; next }
	$1 == "end" { $2 = $2 - 1 } { print }' "$tmp/rotated.model" >"$tmp/short.model"
run "$data/breast_cancer.csv" --predict "$tmp/short.model"
expect_status 65 "a rotation record missing"
expect_stderr "899 rotation records" "a rotation record missing"

# --probe symmetry: the records after the last epoch, before the status; with -q too.
for quiet in "" -q; do
	run "$data/breast_cancer.csv" -m logistic --standardize --hidden 8,8 -e 5 --probe symmetry $quiet
	expect_status 0 "probe symmetry $quiet"
	awk -F, '$1 == "epoch" { if (symmetry) bad = 1 } $1 == "symmetry" { symmetry++ }
		$1 == "status" { if (!symmetry) bad = 1; status = 1 }
		END { exit bad || !status || symmetry != 4 }' "$tmp/out" ||
		fail "probe $quiet: not 4 symmetry records between the epochs and the status"
done
grep '^symmetry,' "$tmp/out" | cut -d, -f2 | tr '\n' ' ' | grep -qx 'permutation:1 rescale:1:10 permutation:2 rescale:2:10 ' ||
	fail "probe: unexpected kinds: $(grep '^symmetry,' "$tmp/out" | cut -d, -f2 | tr '\n' ' ')"
awk -F, '$1 == "symmetry" && NF != 6 { bad = 1 } END { exit bad }' "$tmp/out" ||
	fail "probe: a symmetry record without 6 fields"
grep '^symmetry,' "$tmp/out" >"$tmp/symmetry"
while IFS=, read -r _ kind before after norm_before norm_after; do
	close_enough "$before" "$after" 1e-12 || fail "probe $kind: loss $before became $after"
	case $kind in
	permutation:*)
		close_enough "$norm_before" "$norm_after" 1e-12 ||
			fail "probe $kind: gradient norm $norm_before became $norm_after" ;;
	rescale:*)
		! close_enough "$norm_before" "$norm_after" 1e-3 ||
			fail "probe $kind: gradient norm unchanged ($norm_before)" ;;
	esac
done <"$tmp/symmetry"
echo "probe symmetry, --hidden 8,8:"
cat "$tmp/symmetry"
# The model written is the trained one, the same as without the probe.
grep -E '^(weight|bias),' "$tmp/out" >"$tmp/probed.weights"
run "$data/breast_cancer.csv" -m logistic --standardize --hidden 8,8 -e 5 -q
grep -E '^(weight|bias),' "$tmp/out" | cmp -s - "$tmp/probed.weights" ||
	fail "probe: the weights written differ from a run without the probe"

# --residual: a plain permutation changes the loss, the shared one keeps it.
run "$data/breast_cancer.csv" -m logistic --standardize --hidden 8,8,8 --residual -e 5 --probe symmetry
expect_status 0 "probe residual"
grep '^symmetry,' "$tmp/out" >"$tmp/symmetry"
[ "$(grep -c '^symmetry,permutation-shared:' "$tmp/symmetry")" -eq 3 ] ||
	fail "probe residual: not 3 permutation-shared records"
! grep -q '^symmetry,rescale:' "$tmp/symmetry" || fail "probe residual: a rescale across a skip"
while IFS=, read -r _ kind before after norm_before norm_after; do
	case $kind in
	permutation-shared:*)
		close_enough "$before" "$after" 1e-12 ||
			fail "probe residual $kind: loss $before became $after" ;;
	permutation:*)
		! close_enough "$before" "$after" 1e-6 ||
			fail "probe residual $kind: a plain permutation kept the loss" ;;
	esac
done <"$tmp/symmetry"
echo "probe symmetry, --hidden 8,8,8 --residual:"
cat "$tmp/symmetry"
# tanh: permutations only.
run "$data/iris.csv" -m softmax --standardize --hidden 6 --activation tanh -e 3 --probe symmetry -q
expect_status 0 "probe tanh"
[ "$(grep -c '^symmetry,' "$tmp/out")" -eq 1 ] && grep -q '^symmetry,permutation:1,' "$tmp/out" ||
	fail "probe tanh: expected one permutation record"

# Usage errors.
run "$data/breast_cancer.csv" -m logistic -e 1 --probe symmetry
expect_status 64 "probe without hidden layers"
expect_stderr "needs hidden layers" "probe without hidden layers"
expect_no_stdout "probe without hidden layers"
run "$data/breast_cancer.csv" --init "$tmp/plain.model" -e 1 --probe symmetry
expect_status 64 "probe of an --init model without hidden layers"
run "$data/breast_cancer.csv" -m logistic --hidden 4 --probe curvature
expect_status 64 "probe of an unknown kind"
expect_stderr "invalid --probe 'curvature'" "probe of an unknown kind"
run "$data/breast_cancer.csv" -m logistic --rotate=x
expect_status 64 "rotate with a bad seed"
expect_stderr "invalid --rotate 'x'" "rotate with a bad seed"
run "$data/breast_cancer.csv" --predict "$tmp/plain.model" --rotate
expect_status 64 "rotate with --predict"
run "$data/breast_cancer.csv" --predict "$tmp/plain.model" --probe symmetry
expect_status 64 "probe with --predict"

finish
