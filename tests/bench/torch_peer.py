#!/usr/bin/python3
"""The PyTorch peer that tests/bench/run times against descent.

It reads a CSV data set on standard input and trains the same model the
same way descent does, so that the two programs do the same arithmetic and
their wall times can be compared:

  * the CSV is read with the csv module and every field turned into a float
    (no numpy, no pandas: the plainest Python reader);
  * linear regression (loss (z - y)^2) or binary logistic regression (loss
    log(1 + e^z) - y z), one weight vector and one bias, both starting at
    zero, float64 throughout;
  * --standardize rescales every feature to mean 0 and population standard
    deviation 1, a constant column keeping scale 1, as descent does;
  * mini-batches in file order (descent --no-shuffle), the last partial
    batch a step of its own; batch size 0 is the whole set;
  * torch.optim.SGD or torch.optim.Adam with descent's default
    hyper-parameters, the gradient coming from autograd;
  * after every epoch (and before the first, as epoch 0) the exact mean loss
    over the whole training set, and for a classifier the accuracy.

Output: descent's epoch records, "epoch,EPOCH,LOSS,,ACCURACY,,LR,SECONDS",
with SECONDS measured from the start of training (after reading), as
descent measures it, so that tests/bench/run can compare the losses and the
training-only times.  A "# torch_peer:" comment first names the torch
version and the number of threads in use.

--threads N sets torch.set_num_threads(N); "default" leaves torch's choice.
--parse-only reads and converts the CSV and stops, without importing torch:
the peer of "descent -e 0 -q" in the CSV parsing workload.

Usage:
    /usr/bin/python3 tests/bench/torch_peer.py [-m linear|logistic]
        [-o sgd|adam] [-l LR] [-b N] [-e N] [--standardize] [--no-shuffle]
        [-q] [--threads N|default] [--parse-only] < data.csv
"""

import argparse
import csv
import sys
import time

# descent's default step size for each optimizer the peer knows.
DEFAULT_LEARNING_RATES = {"sgd": 0.01, "adam": 0.001}


def parse_arguments():
    parser = argparse.ArgumentParser(description="PyTorch peer of descent for benchmarks")
    parser.add_argument("-m", "--model", choices=("linear", "logistic"), default="linear")
    parser.add_argument("-o", "--optimizer", choices=sorted(DEFAULT_LEARNING_RATES),
                        default="sgd")
    parser.add_argument("-l", "--lr", type=float)
    parser.add_argument("-b", "--batch-size", type=int, default=32)
    parser.add_argument("-e", "--epochs", type=int, default=10)
    parser.add_argument("--standardize", action="store_true")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="required: the peer cannot draw descent's permutations")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--threads", default="default")
    parser.add_argument("--parse-only", action="store_true")
    arguments = parser.parse_args()
    if not arguments.parse_only and not arguments.no_shuffle:
        parser.error("only file order is supported: pass --no-shuffle (and to descent too)")
    if arguments.lr is None:
        arguments.lr = DEFAULT_LEARNING_RATES[arguments.optimizer]
    return arguments


def read_csv(stream):
    """Header, feature rows (lists of floats) and target texts; last column is the target."""
    reader = csv.reader(stream)
    header = next(reader)
    features, targets = [], []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            sys.exit("torch_peer: line %d: %d fields, expected %d" % (line, len(row), len(header)))
        features.append([float(field) for field in row[:-1]])
        targets.append(row[-1])
    return header, features, targets


def class_indices(targets):
    """Class index of each target: labels sorted numerically when all are numbers."""
    labels = sorted(set(targets))
    try:
        labels.sort(key=float)
    except ValueError:
        pass
    if len(labels) != 2:
        sys.exit("torch_peer: logistic needs 2 classes, found %d" % len(labels))
    index = {label: k for k, label in enumerate(labels)}
    return [float(index[target]) for target in targets]


def shortest(value):
    """The shortest text that reads back as the same double, like descent's records."""
    return repr(float(value))


def main():
    arguments = parse_arguments()
    stdin = open(sys.stdin.fileno(), newline="", closefd=False)
    _, rows, targets = read_csv(stdin)
    if arguments.parse_only:
        print("rows,%d" % len(rows))
        return

    import torch  # only now: the parse-only peer must not pay for the import
    import torch.nn.functional as functional

    if arguments.threads != "default":
        torch.set_num_threads(int(arguments.threads))
    torch.set_default_dtype(torch.float64)
    out = sys.stdout
    if not arguments.quiet:
        out.write("# torch_peer: torch %s, %d threads\n"
                  % (torch.__version__, torch.get_num_threads()))

    classifier = arguments.model == "logistic"
    x = torch.tensor(rows)
    y = torch.tensor(class_indices(targets) if classifier else [float(t) for t in targets])
    n, d = x.shape
    if arguments.standardize:
        mean = x.mean(dim=0)
        scale = ((x - mean) ** 2).mean(dim=0).sqrt()
        scale[scale == 0] = 1.0
        x = (x - mean) / scale

    start = time.perf_counter()
    weights = torch.zeros(d, requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    if arguments.optimizer == "adam":
        optimizer = torch.optim.Adam([weights, bias], lr=arguments.lr)
    else:
        optimizer = torch.optim.SGD([weights, bias], lr=arguments.lr)
    batch = arguments.batch_size if 0 < arguments.batch_size < n else n

    def mean_loss(inputs, target):
        z = inputs @ weights + bias
        if classifier:
            return functional.binary_cross_entropy_with_logits(z, target)
        return functional.mse_loss(z, target)

    def report(epoch):
        """The epoch record: loss and accuracy over the whole set, as descent writes it."""
        with torch.no_grad():
            loss = float(mean_loss(x, y))
            accuracy = ""
            if classifier:
                probability = torch.sigmoid(x @ weights + bias)
                predicted = (probability > 1.0 - probability).to(y.dtype)
                accuracy = shortest((predicted == y).to(y.dtype).mean())
        if not arguments.quiet:
            out.write("epoch,%d,%s,,%s,,%s,%.6f\n" % (epoch, shortest(loss), accuracy,
                                                    shortest(arguments.lr),
                                                    time.perf_counter() - start))
            out.flush()

    report(0)
    for epoch in range(1, arguments.epochs + 1):
        for first in range(0, n, batch):
            optimizer.zero_grad()
            mean_loss(x[first:first + batch], y[first:first + batch]).backward()
            optimizer.step()
        report(epoch)


if __name__ == "__main__":
    main()
