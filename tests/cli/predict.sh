#!/bin/sh
# predict.sh - --save, --predict, --probabilities and --init round trips.
#
# A model written by --save equals the model records on stdout; --predict
# reads either, matches columns by name (with a header) or by position
# (without), prints class labels or values, and refuses a model or data set
# that does not fit.  --init continues training from a saved model with its
# saved standardisation statistics.
. "$top_srcdir/tests/cli/lib.sh"

cancer=$data/breast_cancer.csv
diabetes=$data/diabetes.csv

# predict MODEL DATA [ARGS...]: run --predict, leaving $status, $tmp/out, $tmp/err.
predict() {
	model=$1
	rows_file=$2
	shift 2
	run "$rows_file" --predict "$model" "$@"
}

# ---------------------------------------------------------------------
# Save, and the saved file against stdout.

run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 30 --save "$tmp/model.csv"
expect_status 0 "training breast_cancer with --save"
cp "$tmp/out" "$tmp/stdout.csv"
[ -s "$tmp/model.csv" ] || fail "--save wrote no file"
grep -v '^#' "$tmp/stdout.csv" | grep -v '^epoch,' >"$tmp/records"
cmp -s "$tmp/model.csv" "$tmp/records" ||
	fail "--save file differs from stdout's status and model records: $(diff "$tmp/records" "$tmp/model.csv" | head -4)"

# The true labels and the class labels of the model.
sed 1d "$cancer" | awk -F, '{ print $NF }' >"$tmp/labels"
rows=$(wc -l <"$tmp/labels")
awk -F, '$1 == "class" { print $3 }' "$tmp/model.csv" >"$tmp/classes"
[ "$(wc -l <"$tmp/classes")" -eq 2 ] || fail "model has $(wc -l <"$tmp/classes") class records, expected 2"

# ---------------------------------------------------------------------
# Predictions with the saved file and with the whole stdout.

predict "$tmp/model.csv" "$cancer"
expect_status 0 "--predict with the saved model"
cp "$tmp/out" "$tmp/predictions"
[ "$(head -n 1 "$tmp/predictions")" = prediction ] ||
	fail "--predict header is '$(head -n 1 "$tmp/predictions")', expected 'prediction'"
sed 1d "$tmp/predictions" >"$tmp/labels_predicted"
[ "$(wc -l <"$tmp/labels_predicted")" -eq "$rows" ] ||
	fail "--predict wrote $(wc -l <"$tmp/labels_predicted") lines after the header for $rows rows"
# With the target column present, the metrics go to stderr (results.sh checks them).
expect_stderr "accuracy" "--predict with the target column reports its accuracy"

predict "$tmp/stdout.csv" "$cancer"
expect_status 0 "--predict with the whole stdout"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict with the whole stdout differs from --predict with the saved file"

# Every prediction is one of the class labels.
strays=$(awk 'NR == FNR { known[$0] = 1; next } !($0 in known)' "$tmp/classes" "$tmp/labels_predicted" | head -3)
[ -z "$strays" ] || fail "predictions that are not class labels: $strays"

# And most are right (the model was trained on these rows).
right=$(paste -d, "$tmp/labels_predicted" "$tmp/labels" | awk -F, '$1 == $2' | wc -l)
[ "$right" -ge $((rows * 95 / 100)) ] || fail "only $right of $rows predictions are right"

# ---------------------------------------------------------------------
# --probabilities: a header of the class labels, then K = 2 numbers per
# row, summing to 1, argmax = label.

predict "$tmp/model.csv" "$cancer" --probabilities
expect_status 0 "--predict --probabilities"
[ "$(head -n 1 "$tmp/out")" = "$(paste -s -d, "$tmp/classes")" ] ||
	fail "--probabilities header is '$(head -n 1 "$tmp/out")', expected the class labels"
[ "$(wc -l <"$tmp/out")" -eq $((rows + 1)) ] ||
	fail "--probabilities wrote $(wc -l <"$tmp/out") lines for a header and $rows rows"
sed 1d "$tmp/out" | paste -d, - "$tmp/labels_predicted" | awk -F, -v classes="$(tr '\n' , <"$tmp/classes")" '
	BEGIN { split(classes, label, ",") }
	NF != 3 { print NR ": " NF - 1 " probabilities, expected 2"; next }
	$1 < 0 || $1 > 1 || $2 < 0 || $2 > 1 { print NR ": not probabilities: " $1 ", " $2; next }
	{
		d = $1 + $2 - 1; if (d < 0) d = -d
		if (d > 1e-12) print NR ": probabilities sum to " $1 + $2
		best = $2 > $1 ? label[2] : label[1]
		if (best != $3) print NR ": argmax is class " best ", label printed " $3
	}
' >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "--probabilities: $(head -3 "$tmp/problems")"

# ---------------------------------------------------------------------
# Which columns the data to predict may have.

# Without the target column.
awk -F, 'BEGIN { OFS = "," } { NF--; print }' "$cancer" >"$tmp/no_target.csv"
predict "$tmp/model.csv" "$tmp/no_target.csv"
expect_status 0 "--predict on data without the target column"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict without the target column gives different predictions"

# Two columns swapped, header included: matched by name.
awk -F, 'BEGIN { OFS = "," } { swap = $1; $1 = $3; $3 = swap; print }' "$cancer" >"$tmp/swapped.csv"
predict "$tmp/model.csv" "$tmp/swapped.csv"
expect_status 0 "--predict on data with columns 1 and 3 swapped"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict with columns swapped gives different predictions"

# The target moved to the front.
awk -F, 'BEGIN { OFS = "," } { line = $NF; for (i = 1; i < NF; i++) line = line OFS $i; print line }' \
	"$cancer" >"$tmp/target_first.csv"
predict "$tmp/model.csv" "$tmp/target_first.csv"
expect_status 0 "--predict on data with the target column first"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict with the target column first gives different predictions"

# A missing feature column.
cut -d, -f2- "$cancer" >"$tmp/missing.csv"
predict "$tmp/model.csv" "$tmp/missing.csv"
expect_status 65 "--predict on data without the feature mean_radius"
expect_no_stdout "--predict on data without a feature"
expect_stderr "mean_radius" "missing column message"

# --no-header: by position, with and without the target column.
sed 1d "$cancer" >"$tmp/headless.csv"
predict "$tmp/model.csv" "$tmp/headless.csv" --no-header
expect_status 0 "--predict --no-header with the target column"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict --no-header with the target gives different predictions"
sed 1d "$tmp/no_target.csv" >"$tmp/headless_no_target.csv"
predict "$tmp/model.csv" "$tmp/headless_no_target.csv" --no-header
expect_status 0 "--predict --no-header without the target column"
cmp -s "$tmp/out" "$tmp/predictions" ||
	fail "--predict --no-header without the target gives different predictions"

# ---------------------------------------------------------------------
# Model files that cannot be used.

predict "$tmp/no_such_model.csv" "$cancer"
expect_status 66 "--predict with a model file that does not exist"
expect_no_stdout "--predict with a missing model file"
expect_stderr "no_such_model.csv" "missing model file message"

# The last weights and the bias cut off.
lines=$(wc -l <"$tmp/model.csv")
head -n $((lines - 5)) "$tmp/model.csv" >"$tmp/truncated.csv"
predict "$tmp/truncated.csv" "$cancer"
expect_status 65 "--predict with a truncated model file"
expect_no_stdout "--predict with a truncated model file"

# A weight value that is not a number.
sed 's/^\(weight,1,1,2\),.*/\1,oops/' "$tmp/model.csv" >"$tmp/garbled.csv"
cmp -s "$tmp/garbled.csv" "$tmp/model.csv" && fail "test setup: no weight,1,1,2 record to garble"
predict "$tmp/garbled.csv" "$cancer"
expect_status 65 "--predict with a non-numeric weight"
expect_no_stdout "--predict with a non-numeric weight"

# ---------------------------------------------------------------------
# String class labels: a two-species subset of iris.

awk -F, 'NR == 1 || $NF != "virginica"' "$data/iris.csv" >"$tmp/two_species.csv"
run "$tmp/two_species.csv" -m logistic --standardize -e 5 --save "$tmp/species.csv" -q
expect_status 0 "logistic on setosa/versicolor"
predict "$tmp/species.csv" "$tmp/two_species.csv" -q
expect_status 0 "--predict with string labels"
strays=$(grep -v -x -e setosa -e versicolor "$tmp/out" | head -3)
[ -z "$strays" ] || fail "string-label predictions that are not species: $strays"
[ "$(wc -l <"$tmp/out")" -eq 100 ] || fail "string-label --predict wrote $(wc -l <"$tmp/out") lines, expected 100"

# Data whose target column holds a class the model does not know.
predict "$tmp/species.csv" "$data/iris.csv"
expect_status 65 "--predict on rows with an unknown class (virginica)"
expect_no_stdout "--predict on rows with an unknown class"
expect_stderr "virginica" "unknown class message names the class"

# A linear model cannot train on string labels.
run "$data/iris.csv" -m linear -e 1
expect_status 65 "linear model on iris species"
expect_no_stdout "linear model on iris species"
expect_stderr "<stdin>:2:" "linear model on iris species names the first row"

# ---------------------------------------------------------------------
# Linear predictions: numbers whose mean squared error is the last loss.

run "$diabetes" -m linear --standardize -e 5 --save "$tmp/linear.csv"
expect_status 0 "linear on diabetes"
last_loss=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/out")
predict "$tmp/linear.csv" "$diabetes" -q
expect_status 0 "--predict with a linear model"
bad=$(grep -v -E '^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$' "$tmp/out" | head -3)
[ -z "$bad" ] || fail "linear predictions that are not numbers: $bad"
mse=$(sed 1d "$diabetes" | awk -F, '{ print $NF }' | paste -d, "$tmp/out" - |
	awk -F, '{ d = $1 - $2; sum += d * d } END { printf "%.17g\n", NR ? sum / NR : -1 }')
close_enough "$mse" "${last_loss:-0}" 1e-9 ||
	fail "mean squared error of the predictions $mse differs from the last train_loss $last_loss"

# ---------------------------------------------------------------------
# --init continues where the saved model stopped.

run "$diabetes" -m linear --standardize -e 5 --init "$tmp/linear.csv"
expect_status 0 "--init from the saved linear model"
first_loss=$(awk -F, '$1 == "epoch" && $2 == 0 { print $3 }' "$tmp/out")
close_enough "${first_loss:-0}" "${last_loss:-1}" 1e-12 ||
	fail "--init: epoch 0 loss $first_loss, expected the saved run's last loss $last_loss"
continued=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/out")
awk -v a="${continued:-0}" -v b="${last_loss:-0}" 'BEGIN { exit !(a + 0 < b + 0) }' ||
	fail "--init: training did not continue to improve ($last_loss -> $continued)"

run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 3 --init "$tmp/model.csv"
expect_status 0 "--init from the saved logistic model"
first_loss=$(awk -F, '$1 == "epoch" && $2 == 0 { print $3 }' "$tmp/out")
saved_loss=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/stdout.csv")
close_enough "${first_loss:-0}" "${saved_loss:-1}" 1e-12 ||
	fail "--init logistic: epoch 0 loss $first_loss, expected the saved run's last loss $saved_loss"

finish
