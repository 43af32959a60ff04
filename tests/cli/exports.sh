#!/bin/sh
# exports.sh - descent reads what real tools export (tests/fixtures/exports,
# written by tests/reference/make_export_corpus.sh with pandas, numpy, R and
# LibreOffice).  Each file is trained on as it is; when it is refused, the
# message's "(try OPTION ...)" is followed and the run tried again (each
# refusal may suggest one more option, up to three).  At least 9 files in
# 10 must train; the figure is printed.
. "$top_srcdir/tests/cli/lib.sh"

exports=$fixtures/exports
total=0
trained=0
as_is=0
for file in "$exports"/*; do
	total=$((total + 1))
	name=$(basename "$file")
	case $name in
	iris_* | wine_*) model="-m softmax" ;;
	breast_cancer_*) model="-m logistic" ;;
	*) model="-m linear" ;;
	esac
	options=""
	tries=0
	while :; do
		# shellcheck disable=SC2086  # option words on purpose
		eval "run \"\$file\" $model --standardize -e 2 -q $options"
		if [ "$status" -eq 0 ]; then
			trained=$((trained + 1))
			[ -z "$options" ] && as_is=$((as_is + 1))
			echo "trains: $name${options:+ with$options}"
			break
		fi
		# The suggestion: "(try -d ';')" gives -d ';' (up to ", or" / " or").
		suggestion=$(sed -n 's/.*(try \(-[^)]*\)).*/\1/p' "$tmp/err" | head -n 1 |
			sed 's/,.*//; s/ or .*//')
		tries=$((tries + 1))
		if [ -z "$suggestion" ] || [ "$tries" -gt 3 ]; then
			echo "refused: $name${options:+ with$options}: $(head -n 1 "$tmp/err")"
			break
		fi
		options="$options $suggestion"
	done
done

echo "exports: $trained of $total train ($as_is as they are, the others with the suggested options)"
[ "$total" -gt 0 ] || fail "no export files in $exports"
[ $((trained * 10)) -ge $((total * 9)) ] || fail "only $trained of $total exports train"

# The issue's must-show: pandas' default to_csv (with the index) names --ignore 1.
run "$exports/breast_cancer_pandas_index.csv" -m logistic -e 1 -q
expect_status 65 "pandas index column"
expect_stderr "(try --ignore 1, or write the file with index=False)" "pandas index column"
run "$exports/breast_cancer_pandas_index.csv" -m logistic -e 1 -q --ignore 1
expect_status 0 "pandas index column with --ignore 1"
finish
