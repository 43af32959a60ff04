# compare_losses.awk - descent's epoch losses against a reference fixture.
#
# Shared by torch_reference.sh and torch_networks.sh.  Input: the fixture
# (CSV with a header; the configuration is the fields listed in -v keys,
# e.g. "1,2,6", the epoch is field -v epoch_field and the loss field
# -v loss_field), then the runs file: for each configuration a line
# "run,KEY1,KEY2,..." followed by that run's whole output.  Every epoch
# record's train_loss (field 3) must be within the relative -v tolerance
# of the fixture; every configuration of the fixture must have run and
# matched in every epoch.  Failures go to the file -v mismatches as
# "FAIL: ..." lines, the numbers of complete configurations and compared
# losses to mismatches ".complete"; the worst error is printed on stdout.
BEGIN {
	FS = ","
	worst = -1
	key_count = split(keys, key_field, ",")
}
function describe(configuration) {
	gsub(FS, " ", configuration)
	return configuration
}
function mismatch(text) {
	print "FAIL: " text >mismatches
	failed++
}
# The fixture: reference[configuration FS epoch] = loss.
FNR == NR {
	if (FNR > 1) {
		configuration = $(key_field[1])
		for (k = 2; k <= key_count; k++)
			configuration = configuration FS $(key_field[k])
		reference[configuration FS $epoch_field] = $loss_field
		if (!(configuration in epochs))
			order[++configurations] = configuration
		epochs[configuration]++
	}
	next
}
$1 == "run" {
	configuration = substr($0, 5)
	ran[configuration] = 1
	next
}
$1 != "epoch" {
	next
}
{
	key = configuration FS $2
	if (!(key in reference)) {
		mismatch(describe(configuration) ": unexpected epoch record " $0)
		next
	}
	seen[configuration]++
	expected = reference[key] + 0
	ours = $3 + 0
	difference = ours - expected
	if (difference < 0)
		difference = -difference
	scale = expected < 0 ? -expected : expected
	if (!(difference <= tolerance * scale)) {
		mismatch(sprintf("%s epoch %s: descent %s, reference %s (relative error %.3g > %g)",
			describe(configuration), $2, $3, reference[key], difference / scale, tolerance))
		next
	}
	relative = difference / scale
	if (relative > worst) {
		worst = relative
		worst_at = describe(configuration) " epoch " $2
	}
	compared++
}
END {
	complete = 0
	for (i = 1; i <= configurations; i++) {
		configuration = order[i]
		if (!(configuration in ran))
			mismatch(describe(configuration) ": not run")
		else if (seen[configuration] != epochs[configuration])
			mismatch(sprintf("%s: %d epoch records match the fixture, expected %d",
				describe(configuration), seen[configuration], epochs[configuration]))
		else
			complete++
	}
	printf "compared %d configurations, %d losses\n", complete, compared
	printf "worst relative error %.3g (%s), tolerance %g\n", worst, worst_at, tolerance
	print complete, compared + 0 >(mismatches ".complete")
	exit (failed > 0)
}
