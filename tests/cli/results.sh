#!/bin/sh
# results.sh - getting results out: --predict metrics and header, --log.
#
# --predict on data that carries the target reports accuracy, log-loss and
# a confusion matrix (classifiers) or RMSE, MAE and R^2 (regression) on
# stderr, and with --metrics as metric and confusion records on stdout;
# its output starts with a header row unless -q.  --log FILE writes the
# epoch records as a CSV table with a header row that pandas reads as is.
. "$top_srcdir/tests/cli/lib.sh"

cancer=$data/breast_cancer.csv
diabetes=$data/diabetes.csv
number='-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?'

run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 30 --save "$tmp/cancer.model"
expect_status 0 "training the breast-cancer model"
last_loss=$(awk -F, '$1 == "epoch" { v = $3 } END { print v }' "$tmp/out")
last_accuracy=$(awk -F, '$1 == "epoch" { v = $5 } END { print v }' "$tmp/out")

# ---------------------------------------------------------------------
# Classifier metrics on stderr: accuracy, log-loss, confusion matrix.

run "$cancer" --predict "$tmp/cancer.model"
expect_status 0 "--predict on breast_cancer"
expect_stderr "accuracy" "--predict metrics"
expect_stderr "log-loss" "--predict metrics"
expect_stderr "confusion matrix" "--predict metrics"
accuracy=$(awk '$1 == "accuracy" { print $2 }' "$tmp/err")
log_loss=$(awk '$1 == "log-loss" { print $2 }' "$tmp/err")
close_enough "${accuracy:-0}" "$last_accuracy" 1e-5 ||
	fail "stderr accuracy $accuracy, the last epoch's training accuracy is $last_accuracy"
close_enough "${log_loss:-0}" "$last_loss" 1e-5 ||
	fail "stderr log-loss $log_loss, the last epoch's training loss is $last_loss"
# The table: a header of the two labels, then a row per true class.
[ "$(grep -A 3 'confusion matrix' "$tmp/err" | wc -l)" -eq 4 ] ||
	fail "confusion matrix on stderr is not 3 lines after its title: $(cat "$tmp/err")"

# The header row: the predictions paste beside the input as a named column.
[ "$(head -n 1 "$tmp/out")" = prediction ] ||
	fail "--predict header '$(head -n 1 "$tmp/out")', expected 'prediction'"
[ "$(paste -d, "$cancer" "$tmp/out" | head -n 1 | awk -F, '{ print $NF }')" = prediction ] ||
	fail "pasted beside the input, the last column is not named 'prediction'"

# ---------------------------------------------------------------------
# --metrics: the same figures as records, exact.

run "$cancer" --predict "$tmp/cancer.model" --metrics
expect_status 0 "--predict --metrics"
grep -q -E "^metric,accuracy,$number\$" "$tmp/out" || fail "no metric,accuracy,VALUE record"
grep -q -E "^metric,log_loss,$number\$" "$tmp/out" || fail "no metric,log_loss,VALUE record"
record_loss=$(awk -F, '$1 == "metric" && $2 == "log_loss" { print $3 }' "$tmp/out")
close_enough "${record_loss:-0}" "$last_loss" 1e-12 ||
	fail "metric,log_loss $record_loss differs from the last training loss $last_loss"
awk -F, '$1 == "confusion" { n++; total += $4; if ($2 == $3) right += $4 }
	END { if (n != 4) print "confusion records: " n ", expected 4"
	      if (total != 569) print "confusion counts sum to " total ", expected 569" }' \
	"$tmp/out" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "--metrics: $(cat "$tmp/problems")"
right=$(awk -F, '$1 == "confusion" && $2 == $3 { right += $4 } END { print right / 569 }' "$tmp/out")
record_accuracy=$(awk -F, '$1 == "metric" && $2 == "accuracy" { print $3 }' "$tmp/out")
close_enough "$right" "${record_accuracy:-0}" 1e-6 ||
	fail "confusion diagonal $right disagrees with metric,accuracy $record_accuracy"

# -q: no header, no metrics on stderr.
run "$cancer" --predict "$tmp/cancer.model" -q
expect_status 0 "--predict -q"
[ "$(wc -l <"$tmp/out")" -eq 569 ] || fail "--predict -q wrote $(wc -l <"$tmp/out") lines, expected 569"
[ ! -s "$tmp/err" ] || fail "--predict -q wrote on stderr: $(cat "$tmp/err")"

# Without the target column: predictions only, and --metrics is refused.
awk -F, 'BEGIN { OFS = "," } { NF--; print }' "$cancer" >"$tmp/no_target.csv"
run "$tmp/no_target.csv" --predict "$tmp/cancer.model"
expect_status 0 "--predict without the target column"
[ ! -s "$tmp/err" ] || fail "--predict without the target wrote on stderr: $(cat "$tmp/err")"
run "$tmp/no_target.csv" --predict "$tmp/cancer.model" --metrics
expect_status 65 "--metrics without the target column"
expect_no_stdout "--metrics without the target column"
run "$cancer" --metrics
expect_status 64 "--metrics without --predict"

# ---------------------------------------------------------------------
# Regression: RMSE, MAE and R^2, against awk's from the predictions.

run "$diabetes" -m linear --standardize -e 5 -q --save "$tmp/linear.model"
run "$diabetes" --predict "$tmp/linear.model" --metrics -q
expect_status 0 "--predict --metrics with a linear model"
grep -v '^metric,' "$tmp/out" >"$tmp/values"
set -- $(sed 1d "$diabetes" | awk -F, '{ print $NF }' | paste -d, "$tmp/values" - | awk -F, '
	{ d = $1 - $2; sse += d * d; sae += (d < 0 ? -d : d); y[NR] = $2; sum += $2 }
	END { mean = sum / NR; for (i = 1; i <= NR; i++) sst += (y[i] - mean) ^ 2
	      printf "%.17g %.17g %.17g\n", sqrt(sse / NR), sae / NR, 1 - sse / sst }')
for pair in "rmse $1" "mae $2" "r2 $3"; do
	set -- $pair
	got=$(awk -F, -v name="$1" '$1 == "metric" && $2 == name { print $3 }' "$tmp/out")
	close_enough "${got:-0}" "$2" 1e-9 || fail "metric,$1 is '$got', awk computes $2"
done
run "$diabetes" --predict "$tmp/linear.model"
for name in rmse mae r2; do
	expect_stderr "$name" "regression metrics on stderr"
done

# ---------------------------------------------------------------------
# --log FILE: the epoch records as a plain CSV table.

run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 5 --holdout 0.2 --log "$tmp/log.csv"
expect_status 0 "training with --log"
[ "$(head -n 1 "$tmp/log.csv")" = "epoch,train_loss,val_loss,train_accuracy,val_accuracy,lr,seconds" ] ||
	fail "--log header is '$(head -n 1 "$tmp/log.csv")'"
[ "$(wc -l <"$tmp/log.csv")" -eq 7 ] || fail "--log has $(wc -l <"$tmp/log.csv") lines, expected a header and 6 rows"
grep -q '^epoch,' "$tmp/out" && fail "--log: epoch records still on stdout"
grep -q '^status,completed,5$' "$tmp/out" || fail "--log: no status record on stdout"
grep -q '^# descent' "$tmp/out" || fail "--log: no configuration comment on stdout"
# The rows are the epoch records without their kind (seconds aside).
cp "$tmp/log.csv" "$tmp/saved_log.csv"
run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 5 --holdout 0.2
grep '^epoch,' "$tmp/out" | cut -d, -f2-7 >"$tmp/records"
sed 1d "$tmp/saved_log.csv" | cut -d, -f1-6 | cmp -s - "$tmp/records" ||
	fail "--log rows differ from the epoch records of the same run"

if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
	(cd "$tmp" && cp saved_log.csv log.csv &&
		/usr/bin/python3 -c 'import pandas as pd; print(pd.read_csv("log.csv").tail())') \
		>"$tmp/pandas" 2>&1 || fail "pandas cannot read the --log file: $(cat "$tmp/pandas")"
	/usr/bin/python3 -c '
import sys, pandas as pd
t = pd.read_csv(sys.argv[1])
assert list(t.columns) == ["epoch", "train_loss", "val_loss", "train_accuracy",
                           "val_accuracy", "lr", "seconds"], list(t.columns)
assert len(t) == 6 and t["epoch"].tolist() == list(range(6))
assert all(str(t[c].dtype) == "float64" for c in t.columns[1:])
' "$tmp/saved_log.csv" >"$tmp/pandas" 2>&1 || fail "pandas reads other columns: $(cat "$tmp/pandas")"
else
	echo "results: /usr/bin/python3 with pandas not found; the pandas check is skipped"
fi

# Regression without validation: the empty fields stay empty.
run "$diabetes" --standardize -e 2 --log "$tmp/linear_log.csv" -q
expect_status 0 "quiet run with --log"
[ "$(sed -n 2p "$tmp/linear_log.csv" | cut -d, -f3-5)" = ",," ] ||
	fail "--log without validation or classes: row '$(sed -n 2p "$tmp/linear_log.csv")'"

# A log that cannot be created, or written.
run "$diabetes" -e 2 --log "$tmp/no/such/dir/log.csv"
expect_status 73 "--log in a directory that does not exist"
expect_no_stdout "--log in a directory that does not exist"
if [ -w /dev/full ]; then
	run "$diabetes" -e 2 -q --log /dev/full
	expect_status 74 "--log /dev/full"
	expect_stderr "write error" "--log /dev/full"
fi

finish
