#!/usr/bin/python3
"""The pandas, scikit-learn and PyTorch peers of tests/bench/run.

Each peer is the whole job as a user of that library would write it: read
the CSV on standard input with pandas.read_csv, standardise the features
where descent is run with --standardize (mean 0, population standard
deviation 1, a constant column left with scale 1, as descent does), train,
and write, like descent, one record per epoch and then every weight.

Jobs (the first argument):

  read             pandas.read_csv alone; prints the shape.  Peer of
                   "descent -e 0 -q".
  sklearn-logistic sklearn.preprocessing.StandardScaler, then
                   sklearn.linear_model.SGDClassifier(loss="log_loss",
                   max_iter=5, tol=None, random_state=1) with its defaults
                   otherwise: learning_rate="optimal", alpha=0.0001 (L2),
                   shuffle=True, one example per step.  fit() does the 5
                   epochs in one call, so there is one epoch record, after
                   the last epoch (exact mean log-loss and accuracy over the
                   training set).
  torch-logistic   binary logistic regression, float64, weights and bias
                   from zero, torch.optim.Adam(lr=0.001), batch 32,
                   BCE-with-logits loss.
  torch-mlp        nn.Sequential 20-64-64-1 with ReLU, float32, Adam
                   (lr 0.001), batch 64, mean squared error.
  torch-wide       nn.Sequential 784-128-10 with ReLU, float32, Adam
                   (lr 0.001), batch 64, cross-entropy; string class labels
                   sorted; then, with --predict FILE, reads FILE with pandas,
                   standardises it with the training statistics and writes a
                   "prediction" header and one class label per row, as
                   "descent --predict" does.

The torch jobs draw a fresh permutation every epoch (torch.randperm with a
seeded generator) and take mini-batches by indexing, the last partial
batch a step of its own; --no-shuffle keeps file order instead (the
torch-logistic loss check against "descent --no-shuffle").  After every
epoch, and before the first as epoch 0, they compute the exact mean loss
(and accuracy for a classifier) over the whole training set, as descent's
epoch records have it: "epoch,EPOCH,LOSS,,ACCURACY,,LR,SECONDS", SECONDS
since the start of training.  Torch uses --threads threads [1] (descent has
one thread).

Usage: peers.py JOB [--epochs N] [--batch-size N] [--threads N|default]
                [--no-shuffle] [--predict FILE] < data.csv
"""

import argparse
import sys
import time
import warnings


def arguments():
    parser = argparse.ArgumentParser(description="peers of descent for tests/bench/run")
    parser.add_argument("job", choices=("read", "sklearn-logistic", "torch-logistic",
                                        "torch-mlp", "torch-wide"))
    parser.add_argument("-e", "--epochs", type=int, default=5)
    parser.add_argument("-b", "--batch-size", type=int)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--predict")
    return parser.parse_args()


def read(stream):
    import pandas
    return pandas.read_csv(stream)


def shortest(value):
    return repr(float(value))


def write_weights(out, layers):
    """descent's weight and bias records; layers: (weight out x in, bias) as numpy."""
    for number, (weight, bias) in enumerate(layers, start=1):
        lines = []
        for row in range(weight.shape[0]):
            prefix = "weight,%d,%d," % (number, row + 1)
            lines.extend("%s%d,%r\n" % (prefix, col + 1, value)
                         for col, value in enumerate(weight[row].tolist()))
        lines.extend("bias,%d,%d,%r\n" % (number, row + 1, value)
                     for row, value in enumerate(bias.tolist()))
        out.write("".join(lines))


def standardize(x):
    """Mean 0, population standard deviation 1; a constant column keeps scale 1."""
    mean = x.mean(dim=0)
    scale = ((x - mean) ** 2).mean(dim=0).sqrt()
    scale[scale == 0] = 1
    return mean, scale


def sklearn_logistic(args, out):
    import numpy
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import log_loss
    from sklearn.preprocessing import StandardScaler

    frame = read(sys.stdin.buffer)
    x = frame.iloc[:, :-1].to_numpy(dtype=numpy.float64)
    y = frame.iloc[:, -1].to_numpy()
    start = time.perf_counter()
    x = StandardScaler().fit_transform(x)
    classifier = SGDClassifier(loss="log_loss", max_iter=args.epochs, tol=None,
                               random_state=args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier.fit(x, y)
    probabilities = classifier.predict_proba(x)
    loss = log_loss(y, probabilities)
    accuracy = (classifier.classes_[probabilities.argmax(axis=1)] == y).mean()
    out.write("epoch,%d,%s,,%s,,,%.6f\n" % (args.epochs, shortest(loss), shortest(accuracy),
                                            time.perf_counter() - start))
    write_weights(out, [(classifier.coef_, classifier.intercept_)])


def torch_job(args, out):
    import numpy
    import torch
    from torch import nn
    import torch.nn.functional as functional

    if args.threads != "default":
        torch.set_num_threads(int(args.threads))
    dtype = torch.float64 if args.job == "torch-logistic" else torch.float32
    frame = read(sys.stdin.buffer)
    x = torch.tensor(frame.iloc[:, :-1].to_numpy(dtype=numpy.float64), dtype=dtype)
    target = frame.iloc[:, -1]
    labels = None
    if args.job == "torch-mlp":
        y = torch.tensor(target.to_numpy(dtype=numpy.float64), dtype=dtype)
    else:
        labels = sorted(set(target.tolist()))
        try:
            labels.sort(key=float)
        except (TypeError, ValueError):
            pass
        index = {label: k for k, label in enumerate(labels)}
        codes = target.map(index).to_numpy()
        y = torch.tensor(codes, dtype=dtype if args.job == "torch-logistic" else torch.int64)
    del frame

    start = time.perf_counter()
    mean, scale = standardize(x)
    x = (x - mean) / scale
    n, d = x.shape
    torch.manual_seed(args.seed)
    if args.job == "torch-logistic":
        model = nn.Linear(d, 1).to(dtype)
        with torch.no_grad():
            model.weight.zero_()
            model.bias.zero_()

        def loss_of(z, t):
            return functional.binary_cross_entropy_with_logits(z.squeeze(1), t)

        def correct(z, t):
            return ((z.squeeze(1) > 0).to(dtype) == t).sum().item()
        batch = args.batch_size or 32
    elif args.job == "torch-mlp":
        model = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                              nn.Linear(64, 1))

        def loss_of(z, t):
            return functional.mse_loss(z.squeeze(1), t)
        correct = None
        batch = args.batch_size or 64
    else:
        model = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, len(labels)))

        def loss_of(z, t):
            return functional.cross_entropy(z, t)

        def correct(z, t):
            return (z.argmax(dim=1) == t).sum().item()
        batch = args.batch_size or 64
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    generator = torch.Generator().manual_seed(args.seed)

    def report(epoch):
        with torch.no_grad():
            z = model(x)
            loss = loss_of(z, y).item()
            accuracy = "" if correct is None else shortest(correct(z, y) / n)
        out.write("epoch,%d,%s,,%s,,0.001,%.6f\n" % (epoch, shortest(loss), accuracy,
                                                     time.perf_counter() - start))
        out.flush()

    report(0)
    for epoch in range(1, args.epochs + 1):
        order = None if args.no_shuffle else torch.randperm(n, generator=generator)
        for first in range(0, n, batch):
            if order is None:
                xb, yb = x[first:first + batch], y[first:first + batch]
            else:
                rows = order[first:first + batch]
                xb, yb = x[rows], y[rows]
            optimizer.zero_grad()
            loss_of(model(xb), yb).backward()
            optimizer.step()
        report(epoch)

    layers = [module for module in model.modules() if isinstance(module, nn.Linear)]
    write_weights(out, [(layer.weight.detach().double().numpy(),
                         layer.bias.detach().double().numpy()) for layer in layers])

    if args.predict:
        test = read(args.predict)
        columns = [str(name) for name in test.columns][:d]
        features = torch.tensor(test[columns].to_numpy(dtype=numpy.float64), dtype=dtype)
        with torch.no_grad():
            z = model((features - mean) / scale)
        predicted = z.argmax(dim=1).tolist()
        out.write("prediction\n")
        out.write("".join("%s\n" % labels[k] for k in predicted))


def main():
    args = arguments()
    out = sys.stdout
    if args.job == "read":
        frame = read(sys.stdin.buffer)
        out.write("rows,%d,columns,%d\n" % frame.shape)
    elif args.job == "sklearn-logistic":
        sklearn_logistic(args, out)
    else:
        torch_job(args, out)
    out.flush()


if __name__ == "__main__":
    main()
