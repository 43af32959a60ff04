#!/bin/sh
# networks.sh - softmax, hidden layers, skip connections, holdout and
# validation from the command line, on the shipped data sets.
#
# The accuracy targets are the issue's acceptance runs: softmax regression
# on iris reaches a training accuracy of at least 0.96, a network with one
# hidden layer of 64 on digits a validation accuracy of at least 0.95 on a
# 20% holdout.  The rest checks one behaviour per block: the epoch record's
# validation fields, --init reproducing a run from its initial model, the
# usage errors of the new options, and version-1 model files.
. "$top_srcdir/tests/cli/lib.sh"

iris=$data/iris.csv
wine=$data/wine.csv
digits=$data/digits.csv
cancer=$data/breast_cancer.csv
diabetes=$data/diabetes.csv

# last_field N FILE: field N of the last epoch record.
last_field() {
	awk -F, -v n="$1" '$1 == "epoch" { value = $n } END { print value }' "$2"
}

# at_least A B: A >= B as numbers.
at_least() {
	awk -v a="${1:-0}" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

# ---------------------------------------------------------------------
# Softmax regression on iris, and its predictions.

run "$iris" -m softmax -o adam -l 0.05 --standardize -e 50
expect_status 0 "softmax on iris"
cp "$tmp/out" "$tmp/iris.out"
accuracy=$(last_field 5 "$tmp/iris.out")
at_least "$accuracy" 0.96 || fail "softmax on iris: training accuracy $accuracy, expected >= 0.96"
[ "$(awk -F, '$1 == "class"' "$tmp/iris.out" | wc -l)" -eq 3 ] ||
	fail "softmax on iris: expected 3 class records"
[ "$(awk -F, '$1 == "layer"' "$tmp/iris.out")" = "layer,1,4,3,identity,0" ] ||
	fail "softmax on iris: layer record is '$(awk -F, '$1 == "layer"' "$tmp/iris.out")'"

run "$iris" --predict "$tmp/iris.out" -q
expect_status 0 "--predict with the iris softmax model"
strays=$(grep -v -x -e setosa -e versicolor -e virginica "$tmp/out" | head -3)
[ -z "$strays" ] || fail "iris predictions that are not species: $strays"
right=$(sed 1d "$iris" | awk -F, '{ print $NF }' | paste -d, "$tmp/out" - | awk -F, '$1 == $2' | wc -l)
[ "$right" -ge 144 ] || fail "iris: only $right of 150 predictions right"

run "$iris" --predict "$tmp/iris.out" --probabilities
expect_status 0 "--predict --probabilities with softmax"
[ "$(head -n 1 "$tmp/out")" = "setosa,versicolor,virginica" ] ||
	fail "softmax --probabilities header is '$(head -n 1 "$tmp/out")'"
sed 1d "$tmp/out" | awk -F, '
	NF != 3 { print NR ": " NF " columns"; next }
	{ d = $1 + $2 + $3 - 1; if (d < 0) d = -d; if (d > 1e-12) print NR ": sum " $1 + $2 + $3 }
' >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "softmax probabilities: $(head -3 "$tmp/problems")"

# Numeric class labels (wine's cultivar 0, 1, 2) are labels too.
run "$wine" -m softmax -o adam -l 0.05 --standardize -e 30 -q --save "$tmp/wine.model"
expect_status 0 "softmax on wine"
run "$wine" --predict "$tmp/wine.model" -q
strays=$(grep -v -x -e 0 -e 1 -e 2 "$tmp/out" | head -3)
[ -z "$strays" ] || fail "wine predictions that are not cultivars: $strays"

# ---------------------------------------------------------------------
# A network on digits with a holdout.

run "$digits" -m softmax --hidden 64 -o adam --standardize --holdout 0.2 -e 40
expect_status 0 "network on digits with --holdout 0.2"
cp "$tmp/out" "$tmp/digits.out"
val_accuracy=$(last_field 6 "$tmp/digits.out")
at_least "$val_accuracy" 0.95 ||
	fail "digits --hidden 64: validation accuracy $val_accuracy, expected >= 0.95"
# Every epoch record has 8 fields, all four figures filled in.
awk -F, '
	$1 != "epoch" { next }
	NF != 8 { print "epoch " $2 ": " NF " fields"; next }
	$4 == "" || $6 == "" { print "epoch " $2 ": empty validation fields" }
	$5 < 0 || $5 > 1 || $6 < 0 || $6 > 1 { print "epoch " $2 ": accuracies out of [0, 1]" }
' "$tmp/digits.out" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "digits epoch records: $(head -3 "$tmp/problems")"
grep -q '^# kind,epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds$' "$tmp/digits.out" ||
	fail "the header comment does not name the 8 epoch fields"
grep -q -- '--hidden 64 --activation relu' "$tmp/digits.out" ||
	fail "the configuration comment does not record the hidden layers"
grep -q -- '--holdout 0.2' "$tmp/digits.out" ||
	fail "the configuration comment does not record --holdout"
[ "$(awk -F, '$1 == "layer"' "$tmp/digits.out" | tr '\n' ' ')" = "layer,1,64,64,relu,0 layer,2,64,10,identity,0 " ] ||
	fail "digits layer records: $(awk -F, '$1 == "layer"' "$tmp/digits.out" | tr '\n' ' ')"

# --standardize uses the training rows only: with half the rows held out,
# the means differ from those of the whole data set.
run "$diabetes" -m linear --standardize --holdout 0.5 -e 0 -q
expect_status 0 "--standardize with --holdout 0.5"
model_mean=$(awk -F, '$1 == "feature" && $2 == 3 { print $4 }' "$tmp/out")
full_mean=$(sed 1d "$diabetes" | awk -F, '{ sum += $3 } END { printf "%.17g\n", sum / NR }')
close_enough "$model_mean" "$full_mean" 1e-9 &&
	fail "--standardize with --holdout: the mean $model_mean is the whole data set's"

# Holdout rows are chosen by the seed.
run "$diabetes" -m linear --standardize --holdout 0.5 -e 0 -q -s 2
other_mean=$(awk -F, '$1 == "feature" && $2 == 3 { print $4 }' "$tmp/out")
[ "$other_mean" != "$model_mean" ] || fail "--holdout: --seed 2 held out the same rows as --seed 1"

# ---------------------------------------------------------------------
# --validation FILE: the training file itself, with its columns in
# another order, gives a validation loss equal to the training loss.

awk -F, 'BEGIN { OFS = "," } { line = $NF; for (i = 1; i < NF; i++) line = line OFS $i; print line }' \
	"$cancer" >"$tmp/target_first.csv"
run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 5 --validation "$tmp/target_first.csv"
expect_status 0 "--validation with the training rows"
awk -F, '$1 == "epoch" && ($3 != $4 || $5 != $6) { print "epoch " $2 ": " $0 }' "$tmp/out" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "--validation on the training rows: $(head -3 "$tmp/problems")"
grep -q -- "--validation '" "$tmp/out" || fail "the configuration comment does not record --validation"

run "$cancer" -m logistic --validation "$tmp/no_such_file.csv"
expect_status 66 "--validation with a missing file"
expect_no_stdout "--validation with a missing file"

awk -F, 'BEGIN { OFS = "," } NR == 1 { $1 = "renamed" } 1' "$cancer" >"$tmp/renamed.csv"
run "$cancer" -m logistic --validation "$tmp/renamed.csv"
expect_status 65 "--validation without a column the model needs"
expect_no_stdout "--validation without a needed column"
expect_stderr "mean_radius" "--validation missing column message"

# ---------------------------------------------------------------------
# --patience watches the validation loss and keeps the best epoch.

run "$digits" -m softmax --hidden 32 -o adam -l 0.05 --standardize --holdout 0.3 -e 60 --patience 3
expect_status 0 "--patience with a holdout"
kept=$(awk -F, '$1 == "status" { print $2 "," $3 }' "$tmp/out")
best=$(awk -F, '$1 == "epoch" && ($4 < best || best == "") { best = $4; epoch = $2 } END { print epoch }' "$tmp/out")
case $kept in
early-stopped,"$best" | completed,*) ;;
*) fail "--patience: status '$kept', the best validation loss is at epoch $best" ;;
esac
case $kept in
early-stopped,*) ;;
*) fail "--patience 3 with lr 0.05 on a 30% holdout did not stop early ('$kept')" ;;
esac

# ---------------------------------------------------------------------
# Initialisation: seeded, and -e 0 writes it, so --init reproduces a run.

run "$wine" -m softmax --hidden 8,8 --activation tanh --standardize -e 0 -q -s 5
cp "$tmp/out" "$tmp/init_a"
run "$wine" -m softmax --hidden 8,8 --activation tanh --standardize -e 0 -q -s 5
cmp -s "$tmp/out" "$tmp/init_a" || fail "the same --seed gives different initial weights"
run "$wine" -m softmax --hidden 8,8 --activation tanh --standardize -e 0 -q -s 6
cmp -s "$tmp/out" "$tmp/init_a" && fail "--seed 6 gives the same initial weights as --seed 5"
zeros=$(awk -F, '$1 == "weight" && $5 == 0' "$tmp/init_a" | wc -l)
[ "$zeros" -eq 0 ] || fail "a network's initial weights include $zeros zeros"
biases=$(awk -F, '$1 == "bias" && $4 != 0' "$tmp/init_a" | wc -l)
[ "$biases" -eq 0 ] || fail "a network's initial biases are not all zero"

run "$wine" -m softmax --hidden 8,8 --activation tanh --standardize -e 6 -s 5 -b 16
grep '^epoch,' "$tmp/out" | cut -d, -f1-7 >"$tmp/direct"
run "$wine" --init "$tmp/init_a" -e 6 -s 5 -b 16
expect_status 0 "--init from the initial model"
grep '^epoch,' "$tmp/out" | cut -d, -f1-7 >"$tmp/resumed"
cmp -s "$tmp/direct" "$tmp/resumed" ||
	fail "--init from the -e 0 model does not reproduce the run: $(diff "$tmp/direct" "$tmp/resumed" | head -3)"

# Options that agree with the file are accepted; those that contradict it
# are usage errors naming the difference.
run "$wine" --init "$tmp/init_a" -m softmax --hidden 8,8 --activation tanh -e 1
expect_status 0 "--init with matching -m, --hidden and --activation"
run "$wine" --init "$tmp/init_a" --hidden 8 -e 1
expect_status 64 "--init with another --hidden"
expect_stderr "--hidden 8 conflicts" "--init --hidden conflict message"
expect_no_stdout "--init with another --hidden"
run "$wine" --init "$tmp/init_a" --activation relu -e 1
expect_status 64 "--init with another --activation"
expect_stderr "--activation relu conflicts with the tanh" "--init --activation conflict message"
run "$wine" --init "$tmp/init_a" --residual -e 1
expect_status 64 "--init with --residual on a model without skips"
expect_stderr "--residual conflicts" "--init --residual conflict message"
run "$wine" --init "$tmp/init_a" -m logistic -e 1
expect_status 64 "--init with another --model"
expect_stderr "--model logistic conflicts with the softmax model" "--init --model conflict message"

# ---------------------------------------------------------------------
# --residual: skips on the hidden layers whose widths match, or a usage error.

run "$wine" -m softmax --hidden 16,16 --residual --standardize -e 3 -q
expect_status 0 "--hidden 16,16 --residual"
[ "$(awk -F, '$1 == "layer" { printf "%s ", $6 }' "$tmp/out")" = "0 1 0 " ] ||
	fail "--hidden 16,16 --residual on 13 features: skips are '$(awk -F, '$1 == "layer" { printf "%s ", $6 }' "$tmp/out")', expected '0 1 0 '"
run "$wine" -m softmax --hidden 13 --residual --standardize -e 1 -q
[ "$(awk -F, '$1 == "layer" && $2 == 1 { print $6 }' "$tmp/out")" = 1 ] ||
	fail "--hidden 13 --residual on 13 features: the first layer has no skip"

run "$wine" -m softmax --hidden 16,8 --residual -e 1
expect_status 64 "--residual without a layer of equal widths"
expect_stderr "--residual" "--residual usage message"
expect_stderr "13 features" "--residual usage message names the features"
expect_no_stdout "--residual without a layer of equal widths"

# ---------------------------------------------------------------------
# Usage errors of the new options, and a holdout with nothing on one side.

for bad in 0 1 -0.2 1.5 abc ""; do
	run "$wine" -m softmax --holdout "$bad"
	expect_status 64 "--holdout '$bad'"
	expect_no_stdout "--holdout '$bad'"
done
for bad in 0 -3 3,,4 3, ,3 x 1000001; do
	run "$wine" -m softmax --hidden "$bad"
	expect_status 64 "--hidden '$bad'"
	expect_stderr "invalid --hidden" "--hidden '$bad' message"
done
run "$wine" -m softmax --activation identity
expect_status 64 "--activation identity"
run "$wine" -m softmax --activation swish
expect_status 64 "--activation swish"
run "$wine" -m softmax --holdout 0.2 --validation "$wine"
expect_status 64 "--holdout with --validation"
run "$wine" --predict "$tmp/wine.model" --holdout 0.2
expect_status 64 "--predict with --holdout"

head -n 4 "$wine" >"$tmp/three_rows.csv"
run "$tmp/three_rows.csv" -m linear --holdout 0.1
expect_status 65 "--holdout 0.1 of 3 rows"
expect_stderr "leaves no row for validation" "--holdout with no validation row"
expect_no_stdout "--holdout 0.1 of 3 rows"

# ---------------------------------------------------------------------
# Where a logistic refusal leads.

run "$iris" -m logistic
expect_status 65 "logistic on three species"
expect_stderr "try --model softmax" "logistic on iris suggests softmax"
run "$diabetes" -m logistic
expect_status 65 "logistic on a real-valued target"
expect_stderr "try --model linear" "logistic on diabetes suggests linear"

# ---------------------------------------------------------------------
# Save, load and predict a network: --save holds the stdout's model
# records, and both predict alike.

run "$digits" -m softmax --hidden 16,16 --residual -o adam --standardize -e 2 --save "$tmp/net.model"
expect_status 0 "network with --save"
cp "$tmp/out" "$tmp/net.out"
sed -n '/^status,/,$p' "$tmp/net.out" | cmp -s - "$tmp/net.model" ||
	fail "--save differs from the status and model records on stdout"
tail -n 1 "$tmp/net.model" | grep -q '^end,' || fail "the model file does not end with an end record"
run "$digits" --predict "$tmp/net.model"
cp "$tmp/out" "$tmp/from_file"
run "$digits" --predict "$tmp/net.out"
cmp -s "$tmp/out" "$tmp/from_file" || fail "network: --predict with stdout and with --save differ"

# A model file cut inside its last number is refused.
head -c -4 "$tmp/net.model" >"$tmp/cut.model"
run "$digits" --predict "$tmp/cut.model"
expect_status 65 "--predict with a model cut inside its end record"
expect_no_stdout "--predict with a cut model"
sed '$d' "$tmp/net.model" | head -c -3 >"$tmp/cut.model"
run "$digits" --predict "$tmp/cut.model"
expect_status 65 "--predict with a model cut inside its last bias"
expect_stderr "end record" "cut model message"

# ---------------------------------------------------------------------
# Version-1 model files (descent 0.1.0) still predict as they did.

run "$cancer" --predict "$fixtures/model_v1_logistic.csv" -q
expect_status 0 "--predict with a version-1 logistic model"
cmp -s "$tmp/out" "$fixtures/predictions_v1_logistic.txt" ||
	fail "version-1 logistic model: predictions differ from descent 0.1.0's"
run "$diabetes" --predict "$fixtures/model_v1_linear.csv" -q
expect_status 0 "--predict with a version-1 linear model"
cmp -s "$tmp/out" "$fixtures/predictions_v1_linear.txt" ||
	fail "version-1 linear model: predictions differ from descent 0.1.0's"

finish
