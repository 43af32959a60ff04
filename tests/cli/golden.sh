#!/bin/sh
# golden.sh - the acceptance run, a golden file, determinism and -q.
#
# The acceptance run is logistic regression with adam on standardised
# breast_cancer for 30 epochs: it must reach a low loss and its own output,
# fed back through --predict, must label the data set well.
#
# tests/fixtures/golden_linear_sgd.csv was produced by descent itself, once,
# with
#     descent -m linear -o sgd -l 0.01 --standardize -e 20 -b 16 -s 7 \
#         < data/diabetes.csv | grep '^epoch,' | sed 's/,[^,]*$//'
# (the epoch records without the seconds field; the empty val_accuracy
# field was inserted when the epoch record grew to 8 fields, the numbers
# unchanged).  It is not an independent
# reference: it pins the shuffled mini-batch path (seeded permutation every
# epoch, batches of 16 with a short last one), which the PyTorch comparison
# in torch_reference.sh does not cover because that runs with --no-shuffle.
# A change in the shuffling, the batching or the arithmetic shows up here.
# If such a change is intended, regenerate the file with the command above
# and say why in the commit.
. "$top_srcdir/tests/cli/lib.sh"

# ---------------------------------------------------------------------
# The acceptance run.

cancer=$data/breast_cancer.csv
run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 30
expect_status 0 "acceptance run"
cp "$tmp/out" "$tmp/acceptance"

# Epoch records 0..30, each once, in order.
numbers=$(awk -F, '$1 == "epoch" { printf "%s ", $2 }' "$tmp/acceptance")
expected=$(awk 'BEGIN { for (i = 0; i <= 30; i++) printf "%d ", i }')
[ "$numbers" = "$expected" ] ||
	fail "acceptance run: epoch numbers are '$numbers', expected '$expected'"

# Every epoch record: 8 fields, the validation fields empty (no validation
# data), train_accuracy a fraction, lr exactly 0.01, seconds a number >= 0.
awk -F, '
	function number(s) { return s ~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
	$1 != "epoch" { next }
	NF != 8 { print "epoch " $2 ": " NF " fields, expected 8"; next }
	!number($3) { print "epoch " $2 ": train_loss \"" $3 "\" is not a number" }
	$4 != "" { print "epoch " $2 ": val_loss \"" $4 "\", expected empty" }
	!number($5) || $5 < 0 || $5 > 1 { print "epoch " $2 ": train_accuracy \"" $5 "\" is not in [0, 1]" }
	$6 != "" { print "epoch " $2 ": val_accuracy \"" $6 "\", expected empty" }
	$7 != "0.01" { print "epoch " $2 ": lr \"" $7 "\", expected 0.01" }
	!number($8) || $8 < 0 { print "epoch " $2 ": seconds \"" $8 "\" is not a number >= 0" }
' "$tmp/acceptance" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "acceptance run epoch records: $(head -5 "$tmp/problems")"

final_loss=$(awk -F, '$1 == "epoch" { loss = $3 } END { print loss }' "$tmp/acceptance")
awk -v loss="${final_loss:-1}" 'BEGIN { exit !(loss + 0 < 0.12) }' ||
	fail "acceptance run: final training loss $final_loss, expected < 0.12"

state=$(awk -F, '$1 == "status" { print $2 "," $3 }' "$tmp/acceptance")
[ "$state" = "completed,30" ] ||
	fail "acceptance run: status record '$state', expected 'completed,30'"

# Its whole stdout, used as the model, labels >= 97% of the rows right.
"$DESCENT" --predict "$tmp/acceptance" <"$cancer" >"$tmp/predictions" 2>"$tmp/err"
status=$?
expect_status 0 "--predict with the acceptance run's stdout"
sed 1d "$cancer" | awk -F, '{ print $NF }' >"$tmp/labels"
rows=$(wc -l <"$tmp/labels")
# A header row names the column, then one line per row.
[ "$(head -n 1 "$tmp/predictions")" = prediction ] ||
	fail "--predict header is '$(head -n 1 "$tmp/predictions")', expected 'prediction'"
predicted=$(sed 1d "$tmp/predictions" | wc -l)
[ "$predicted" -eq "$rows" ] || fail "--predict wrote $predicted lines for $rows rows"
# shellcheck disable=SC2046  # two words, split on purpose
set -- $(sed 1d "$tmp/predictions" | paste -d, - "$tmp/labels" | awk -F, '
	$1 == $2 { right++ } END { printf "%d %s\n", right, (right >= 0.97 * NR ? "good" : "poor") }')
[ "${2:-poor}" = good ] || fail "--predict got ${1:-0} of $rows labels right, expected >= 97%"

# ---------------------------------------------------------------------
# Model records: present, and printed with %.17g.

weights=$(awk -F, '$1 == "weight"' "$tmp/acceptance" | wc -l)
[ "$weights" -eq 30 ] || fail "acceptance run: $weights weight records, expected 30"
awk -F, '
	$1 == "weight" { value = $5 }
	$1 == "bias" { value = $4 }
	$1 == "feature" { value = $4 " " $5 }
	$1 == "weight" || $1 == "bias" {
		if (sprintf("%.17g", value + 0) != value)
			print $0 ": not %.17g (" sprintf("%.17g", value + 0) ")"
	}
	$1 == "feature" {
		if (sprintf("%.17g", $4 + 0) != $4 || sprintf("%.17g", $5 + 0) != $5)
			print $0 ": statistics not %.17g"
	}
' "$tmp/acceptance" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "model records: $(head -3 "$tmp/problems")"

# Epoch losses are the shortest text that reads back to the same double:
# as many significant digits as the shortest %.Pg that round-trips.
awk -F, '
	function digits(s) {
		sub(/^-/, "", s); sub(/[eE].*/, "", s); sub(/\./, "", s)
		sub(/^0+/, "", s); sub(/0+$/, "", s)
		return length(s) ? length(s) : 1
	}
	$1 == "epoch" {
		x = $3 + 0
		for (p = 1; p < 17; p++)
			if (sprintf("%." p "g", x) + 0 == x)
				break
		if (digits($3) != p)
			print "epoch " $2 ": train_loss " $3 " has " digits($3) " digits, shortest is " p
	}
' "$tmp/acceptance" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "epoch losses not shortest: $(head -3 "$tmp/problems")"

# ---------------------------------------------------------------------
# The golden file.

golden=$fixtures/golden_linear_sgd.csv
diabetes=$data/diabetes.csv
run "$diabetes" -m linear -o sgd -l 0.01 --standardize -e 20 -b 16 -s 7
expect_status 0 "golden run"
grep '^epoch,' "$tmp/out" | sed 's/,[^,]*$//' >"$tmp/golden_run"
[ "$(wc -l <"$golden")" -eq 21 ] || fail "$golden should hold 21 epoch records"
# Line by line: kind, epoch and the empty fields as text, numbers to 1e-12.
awk -F, -v tolerance=1e-12 '
	function close_enough(a, b,   d, m) {
		if (a == "" || b == "") return a == b
		d = a - b; if (d < 0) d = -d
		m = a < 0 ? -a : a; if (b > m) m = b; if (-b > m) m = -b
		return d <= tolerance * (m > 1e-300 ? m : 1e-300)
	}
	NR == FNR { expected[FNR] = $0; count = FNR; next }
	{
		if (!(FNR in expected)) { print "extra record: " $0; next }
		split(expected[FNR], want, ",")
		if (NF != 7 || $1 != want[1] || $2 != want[2] || $4 != want[4] || $5 != want[5] ||
		    $6 != want[6] || !close_enough($3, want[3]) || !close_enough($7, want[7]))
			print "got " $0 ", expected " expected[FNR]
	}
	END { if (FNR != count) print FNR " records, expected " count }
' "$golden" "$tmp/golden_run" >"$tmp/problems"
[ ! -s "$tmp/problems" ] || fail "golden run differs from $golden: $(head -3 "$tmp/problems")"

# ---------------------------------------------------------------------
# Determinism and the seed.

# strip FILE: the output without the seconds field of epoch records.
strip() {
	sed '/^epoch,/s/,[^,]*$//' "$1"
}

strip "$tmp/out" >"$tmp/first"
run "$diabetes" -m linear -o sgd -l 0.01 --standardize -e 20 -b 16 -s 7
strip "$tmp/out" >"$tmp/second"
cmp -s "$tmp/first" "$tmp/second" ||
	fail "the same command twice gives different output: $(diff "$tmp/first" "$tmp/second" | head -4)"

grep '^epoch,' "$tmp/first" >"$tmp/first_losses"

run "$diabetes" -m linear -o sgd -l 0.01 --standardize -e 20 -b 16 -s 8
expect_status 0 "run with --seed 8"
strip "$tmp/out" | grep '^epoch,' | sed 1d >"$tmp/other_seed"
sed 1d "$tmp/first_losses" | cmp -s - "$tmp/other_seed" &&
	fail "--seed 8 gives the same epoch losses as --seed 7"

run "$diabetes" -m linear -o sgd -l 0.01 --standardize -e 20 -b 16 -s 7 --no-shuffle
expect_status 0 "run with --no-shuffle"
strip "$tmp/out" | grep '^epoch,' | sed 1d >"$tmp/no_shuffle"
sed 1d "$tmp/first_losses" | cmp -s - "$tmp/no_shuffle" &&
	fail "--no-shuffle gives the same epoch losses as shuffled batches"

# ---------------------------------------------------------------------
# -q keeps only the status and model records, unchanged.

run "$cancer" -m logistic -o adam -l 0.01 --standardize -e 30 -q
expect_status 0 "acceptance run with -q"
grep -q '#' "$tmp/out" && fail "-q output contains '#'"
grep -q '^epoch,' "$tmp/out" && fail "-q output contains epoch records"
grep -v -e '^#' -e '^epoch,' "$tmp/acceptance" >"$tmp/records"
cmp -s "$tmp/out" "$tmp/records" ||
	fail "-q output differs from the status and model records of the normal run: $(diff "$tmp/records" "$tmp/out" | head -4)"
[ ! -s "$tmp/err" ] || fail "-q run wrote on stderr: $(cat "$tmp/err")"

finish
