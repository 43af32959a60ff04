#!/bin/sh
# resume.sh - --save-state and --init continue a run exactly.
#
# N epochs, saved with --save-state, then M more with --init equal N + M
# epochs in one run: every epoch's losses and accuracies, and the final
# weights, bit for bit (shuffling on, first-order and lbfgs optimizers,
# schedules with memory).  A cut or inconsistent state is refused with 65,
# a file without state starts afresh, and a different optimizer is a usage
# error.
. "$top_srcdir/tests/cli/lib.sh"

cancer=$data/breast_cancer.csv
wine=$data/wine.csv
diabetes=$data/diabetes.csv

# figures FILE FROM TO: epoch,loss,val_loss,accuracy,val_accuracy of epochs FROM..TO.
figures() {
	awk -F, -v from="$2" -v to="$3" '$1 == "epoch" && $2 >= from && $2 <= to {
		print $2 "," $3 "," $4 "," $5 "," $6 }' "$1"
}

# model FILE: the weight and bias records.
model() {
	grep -E '^(weight|bias),' "$1"
}

# same_run NAME DATA N M ARGS...: N + M epochs through --save-state/--init
# equal N + M epochs at once.
same_run() {
	name=$1 input=$2 first=$3 more=$4
	shift 4
	total=$((first + more))
	run "$input" "$@" -e "$total"
	expect_status 0 "$name: $total epochs at once"
	cp "$tmp/out" "$tmp/whole"
	run "$input" "$@" -e "$first" --save "$tmp/state.csv" --save-state
	expect_status 0 "$name: $first epochs with --save-state"
	grep -q '^state,end,' "$tmp/state.csv" || fail "$name: no state records in the --save file"
	grep -q '^state,' "$tmp/out" && fail "$name: state records on stdout"
	run "$input" "$@" -e "$more" --init "$tmp/state.csv"
	expect_status 0 "$name: $more more epochs with --init"
	cp "$tmp/out" "$tmp/continued"
	first_record=$(awk -F, '$1 == "epoch" { print $2; exit }' "$tmp/continued")
	[ "$first_record" = "$first" ] ||
		fail "$name: the continued run starts at epoch $first_record, not $first"
	last_record=$(awk -F, '$1 == "epoch" { e = $2 } END { print e }' "$tmp/continued")
	[ "$last_record" = "$total" ] ||
		fail "$name: the continued run ends at epoch $last_record, not $total"
	figures "$tmp/whole" "$first" "$total" >"$tmp/a"
	figures "$tmp/continued" "$first" "$total" >"$tmp/b"
	[ -s "$tmp/a" ] || fail "$name: no epoch records"
	cmp -s "$tmp/a" "$tmp/b" ||
		fail "$name: continued epochs differ from one run: $(diff "$tmp/a" "$tmp/b" | head -3)"
	model "$tmp/whole" >"$tmp/a"
	model "$tmp/continued" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" || fail "$name: the continued run ends with other weights"
	grep -q "^status,completed,$total\$" "$tmp/continued" ||
		fail "$name: status of the continued run: $(grep '^status,' "$tmp/continued")"
}

# ---------------------------------------------------------------------
# 15 + 15 = 30, shuffled, for adam and momentum, a linear head and a network.

same_run "adam logistic" "$cancer" 15 15 -m logistic -o adam -l 0.01 --standardize -b 16 -s 3
same_run "momentum logistic" "$cancer" 15 15 -m logistic -o momentum -l 0.01 --standardize -s 4
same_run "adam network" "$wine" 15 15 -m softmax --hidden 16 -o adam -l 0.01 --standardize -b 16
same_run "momentum network" "$wine" 15 15 -m softmax --hidden 16 -o momentum -l 0.01 \
	--standardize -b 16 -s 7
# Schedules with a position or a memory, warm-up, validation and patience.
same_run "step schedule" "$wine" 7 8 -m softmax --hidden 8 -o momentum -l 0.05 --standardize \
	--schedule step:4:0.5 --warmup 20
same_run "plateau schedule" "$cancer" 10 20 -m logistic -o sgd -l 0.5 --standardize \
	--schedule plateau:1:0.5 --holdout 0.2 --patience 1000
same_run "cyclic rmsprop" "$diabetes" 6 6 -o rmsprop --standardize --schedule cyclic:0.001:0.05:7
same_run "amsgrad" "$diabetes" 5 5 -o amsgrad -l 0.05 --standardize --weight-decay 0.01
# --patience across the break: the best weights come back from the state.
patience="-m logistic -o sgd -l 0.5 --standardize --schedule plateau:1:0.5 --holdout 0.2 --patience 3"
# shellcheck disable=SC2086  # options split on purpose
run "$cancer" $patience -e 30
cp "$tmp/out" "$tmp/whole"
# shellcheck disable=SC2086
run "$cancer" $patience -e 10 --save "$tmp/state.csv" --save-state
grep -q '^state,best_weight,' "$tmp/state.csv" || fail "no best weights in the state"
# shellcheck disable=SC2086
run "$cancer" $patience -e 20 --init "$tmp/state.csv"
expect_status 0 "--patience continued"
stopped=$(grep '^status,' "$tmp/whole")
case $stopped in
status,early-stopped,*) ;;
*) fail "the --patience run did not stop early: $stopped" ;;
esac
[ "$(grep '^status,' "$tmp/out")" = "$stopped" ] ||
	fail "continued --patience run: $(grep '^status,' "$tmp/out"), one run: $stopped"
model "$tmp/whole" >"$tmp/a"
model "$tmp/out" >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "continued --patience run keeps other best weights"

# lbfgs: its curvature pairs are the state.
same_run "lbfgs" "$wine" 4 4 -m softmax --hidden 4 -o lbfgs --standardize -s 2

# The state holds the step count, epoch and generator the loop reached.
run "$cancer" -m logistic -o adam --standardize -e 3 -b 100 --save "$tmp/s3.csv" --save-state
expect_status 0 "3 epochs of 6 steps"
grep -q '^state,epoch,3$' "$tmp/s3.csv" || fail "state,epoch is not 3"
grep -q '^state,step,18$' "$tmp/s3.csv" || fail "state,step is not 18 (569 rows in batches of 100)"
[ "$(grep -c '^state,order,' "$tmp/s3.csv")" -eq 569 ] || fail "not one state,order per row"
[ "$(grep -c '^state,optimizer_value,' "$tmp/s3.csv")" -eq 62 ] ||
	fail "adam's state is not 2 x 31 values"
grep -q '^state,optimizer,adam,62$' "$tmp/s3.csv" || fail "no state,optimizer,adam,62 record"
# The model reader skips the state records.
run "$cancer" --predict "$tmp/s3.csv"
expect_status 0 "--predict with a --save-state file"

# ---------------------------------------------------------------------
# A cut or edited state is refused before any training.

head -n -1 "$tmp/s3.csv" >"$tmp/cut.csv"
run "$cancer" -o adam --init "$tmp/cut.csv"
expect_status 65 "state without state,end"
expect_stderr "cut short" "cut state message"
expect_no_stdout "cut state"
grep -v '^state,order,7,' "$tmp/s3.csv" >"$tmp/edited.csv"
run "$cancer" -o adam --init "$tmp/edited.csv"
expect_status 65 "state with a missing order record"
expect_no_stdout "edited state"
sed 's/^state,step,18$/state,step,x/' "$tmp/s3.csv" >"$tmp/bad.csv"
run "$cancer" -o adam --init "$tmp/bad.csv"
expect_status 65 "state with a bad step"
expect_stderr "bad.csv:$(grep -n '^state,step,' "$tmp/bad.csv" | cut -d: -f1): bad value in step" \
	"bad state message"
sed 's/^state,format,1$/state,format,9/' "$tmp/s3.csv" >"$tmp/bad.csv"
run "$cancer" -o adam --init "$tmp/bad.csv"
expect_status 65 "state of an unknown format"
awk -F, '!($1 == "state" && $2 == "optimizer_value" && $3 == 62)' "$tmp/s3.csv" |
	sed 's/^state,end,.*/state,end,637/' >"$tmp/bad.csv"
run "$cancer" -o adam --init "$tmp/bad.csv"
expect_status 65 "state with an optimizer value missing"
expect_stderr "61 of 62" "missing optimizer value message"
# Other data (different rows) cannot continue the saved shuffle.
head -n 300 "$cancer" >"$tmp/fewer.csv"
run "$tmp/fewer.csv" -o adam --init "$tmp/s3.csv"
expect_status 65 "state on other data"
expect_stderr "not the 299 training rows" "other data message"

# ---------------------------------------------------------------------
# Without state, --init starts afresh from the weights; options that
# contradict the state are usage errors.

run "$cancer" -m logistic -o adam --standardize -e 3 --save "$tmp/plain.csv"
expect_status 0 "3 epochs without --save-state"
grep -q '^state,' "$tmp/plain.csv" && fail "state records without --save-state"
run "$cancer" -o momentum --init "$tmp/plain.csv" -e 2
expect_status 0 "--init without state, another optimizer"
[ "$(awk -F, '$1 == "epoch" { print $2; exit }' "$tmp/out")" = 0 ] ||
	fail "--init without state does not start at epoch 0"
run "$cancer" -o momentum --init "$tmp/s3.csv" -e 2
expect_status 64 "--init with state and another optimizer"
expect_stderr "conflicts with the adam state" "optimizer conflict message"
expect_no_stdout "optimizer conflict"
run "$cancer" --init "$tmp/s3.csv" -e 2
expect_status 64 "--init with state and the default optimizer"
run "$cancer" --save-state -e 1
expect_status 64 "--save-state without --save"
expect_stderr "--save-state needs --save" "--save-state without --save message"
run "$cancer" -o adam --init "$tmp/s3.csv" --standardize -e 1
expect_status 0 "--init with --standardize"
expect_stderr "--standardize: keeping the statistics stored in $tmp/s3.csv" "--standardize note"
# A run that does not complete saves no state, and says so.
run "$cancer" -m logistic -o sgd -l 1e300 -e 3 --save "$tmp/diverged.csv" --save-state
expect_status 3 "diverged run with --save-state"
expect_stderr "without a training state" "diverged run --save-state note"
grep -q '^state,' "$tmp/diverged.csv" && fail "state records after a diverged run"

finish
