#!/bin/sh
# make_export_corpus.sh - write tests/fixtures/exports/ with the tools people
# really export CSV from, so that tests/cli/exports.sh can check that descent
# reads what they write (as it is, or with the option its message suggests).
#
# Run once by hand from the top of the source tree; the output is committed.
# Needs: python3 with pandas, numpy and openpyxl (Debian: python3-pandas,
# python3-numpy, python3-openpyxl), R (r-base-core), LibreOffice Calc
# (libreoffice-calc-nogui).  Stata is not available here, so no .dta export.
#
# Every file is a 60-row subset of a shipped data set (data/*.csv).  The
# file name starts with the data set's name, which tells exports.sh the
# model to train: iris and wine softmax, breast_cancer logistic, diabetes
# linear.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fixtures/exports
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*

# Subsets: 60 rows, every class present (a seeded sample).
PY=${PYTHON:-/usr/bin/python3}
"$PY" - "$top" "$work" <<'PYTHON'
import sys
import numpy as np
import pandas as pd
top, work = sys.argv[1], sys.argv[2]
def subset(name, rows=60, columns=None):
    df = pd.read_csv(f"{top}/data/{name}.csv").sample(n=rows, random_state=1).sort_index()
    if columns:
        df = df[df.columns[:columns].tolist() + [df.columns[-1]]]
    return df.reset_index(drop=True)
iris, diabetes = subset("iris"), subset("diabetes")
cancer, wine = subset("breast_cancer", columns=8), subset("wine", columns=8)
for name, df in [("iris", iris), ("diabetes", diabetes), ("breast_cancer", cancer),
                 ("wine", wine)]:
    df.to_csv(f"{work}/{name}.csv", index=False)

out = f"{top}/tests/fixtures/exports"
# pandas: the default to_csv (with the index), without it, other separators
iris.to_csv(f"{out}/iris_pandas_index.csv")
cancer.to_csv(f"{out}/breast_cancer_pandas_index.csv")
diabetes.to_csv(f"{out}/diabetes_pandas_no_index.csv", index=False)
wine.to_csv(f"{out}/wine_pandas_semicolon.csv", sep=";", index=False)
iris.to_csv(f"{out}/iris_pandas_tab.tsv", sep="\t", index=False)
# pandas with missing values (NaN is written as an empty field) ...
rng = np.random.default_rng(1)
holes = diabetes.copy()
for column in holes.columns[:4]:
    holes.loc[rng.choice(len(holes), 4, replace=False), column] = np.nan
holes.to_csv(f"{out}/diabetes_pandas_missing.csv", index=False)
holes.to_csv(f"{out}/diabetes_pandas_missing_na_rep.csv", index=False, na_rep="NaN")
# ... and with a string column
text = cancer.copy()
text.insert(2, "site", rng.choice(["left", "right", "both"], len(text)))
text.to_csv(f"{out}/breast_cancer_pandas_string_column.csv", index=False)
# numpy.savetxt: blanks between fields and no header, or commas with one
np.savetxt(f"{out}/diabetes_numpy_savetxt.txt", diabetes.to_numpy())
np.savetxt(f"{out}/breast_cancer_numpy_savetxt.csv", cancer.to_numpy(), delimiter=",",
           header=",".join(cancer.columns), comments="")
# a spreadsheet written by openpyxl, exported by LibreOffice below
wine.to_excel(f"{work}/wine_openpyxl.xlsx", index=False)
PYTHON

# R: write.csv (row names under an empty header field), write.table (blanks,
# quotes, a header one field shorter than the rows), NA for missing values.
Rscript - "$work" "$out" <<'R'
args <- commandArgs(trailingOnly = TRUE)
work <- args[1]; out <- args[2]
iris <- read.csv(file.path(work, "iris.csv"))
diabetes <- read.csv(file.path(work, "diabetes.csv"))
wine <- read.csv(file.path(work, "wine.csv"))
write.csv(iris, file.path(out, "iris_r_write_csv.csv"))
write.csv(wine, file.path(out, "wine_r_write_csv_no_row_names.csv"), row.names = FALSE)
write.table(diabetes, file.path(out, "diabetes_r_write_table.txt"))
set.seed(1)
diabetes[sample(nrow(diabetes), 5), 2] <- NA
write.csv(diabetes, file.path(out, "diabetes_r_write_csv_na.csv"), row.names = FALSE)
R

# LibreOffice: the openpyxl spreadsheet to CSV, and an .ods LibreOffice made
# itself from CSV, back to CSV.
(cd "$work" && soffice --headless --convert-to csv wine_openpyxl.xlsx >/dev/null 2>&1 &&
	soffice --headless --convert-to ods iris.csv >/dev/null 2>&1 &&
	mv iris.csv iris_source.csv &&
	soffice --headless --convert-to csv iris.ods >/dev/null 2>&1)
cp "$work/wine_openpyxl.csv" "$out/wine_libreoffice_from_xlsx.csv"
cp "$work/iris.csv" "$out/iris_libreoffice_from_ods.csv"

ls -l "$out"
