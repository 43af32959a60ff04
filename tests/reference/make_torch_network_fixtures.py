#!/usr/bin/python3
"""Reference losses from PyTorch (float64) for descent's network models.

Run once, by hand, from the top of the source tree:

    /usr/bin/python3 tests/reference/make_torch_network_fixtures.py

or, to (re)create the initial models first with a built descent:

    DESCENT=build/descent /usr/bin/python3 tests/reference/make_torch_network_fixtures.py

Inputs (committed):

  tests/fixtures/network_init_tanh.csv
  tests/fixtures/network_init_relu.csv
  tests/fixtures/network_init_relu_residual.csv
      Initial models written by descent itself,

          descent -m softmax --hidden 16,16 --activation ACT [--residual] \\
                  --standardize --seed 1 -e 0 -q < data/wine.csv

      (ACT tanh, relu, relu --residual).  When the environment variable
      DESCENT names a descent binary the script runs it to rewrite them;
      otherwise it only reads them.  The script parses their layer, feature,
      class, weight and bias records and builds the torch network with
      exactly those weights, and standardises the data with exactly the
      feature means and scales they record (descent --init applies the
      file's statistics; the script checks that they equal the ones it
      computes itself from data/wine.csv, left-to-right sums as descent).

Output (committed, so that `make check` needs neither Python nor PyTorch):

  tests/fixtures/torch_networks.csv
      data,init,hidden,activation,residual,optimizer,lr,batch_size,epoch,loss
      The exact mean training loss (softmax cross-entropy, logsumexp(z) - z_y
      averaged over all rows) before any step (epoch 0) and after each of
      EPOCHS epochs, for
        - data=iris, init=zero, hidden=none, activation=none, residual=0:
          softmax regression (no hidden layer) from zero weights on
          data/iris.csv (target species), standardised;
        - data=wine, init=tanh|relu|relu_residual, hidden=16;16: the
          network of tests/fixtures/network_init_INIT.csv on data/wine.csv
          (target cultivar);
      each with sgd, momentum and adam, full batch (batch_size 0) and
      mini-batches of 16 in file order (descent -b 16 --no-shuffle).
      tests/cli/torch_networks.sh compares descent against it.

Learning rates (descent --lr text, recorded in the fixture): full batch sgd
0.1, momentum 0.05, adam 0.01; mini-batches of 16 sgd 0.05, momentum 0.01,
adam 0.01.  The mini-batch rates are lower because at sgd 0.1 / momentum
0.05 the residual network's loss first jumps (2.1 -> 7.9 for momentum)
before falling, which amplifies rounding for no benefit.  descent's momentum (v <- 0.9 v - lr g; w <- w + v) is torch's
SGD(momentum=0.9) at constant lr; adam is torch.optim.Adam with defaults.
"""

import csv
import math
import os
import subprocess
import sys

import torch
import torch.nn.functional as functional

torch.set_default_dtype(torch.float64)

EPOCHS = 10
BATCH_SIZES = (0, 16)   # 0 = full batch, as descent's -b 0
SEED = "1"

# (optimizer, batch_size) -> descent's --lr text.
LEARNING_RATES = {("sgd", 0): "0.1", ("momentum", 0): "0.05", ("adam", 0): "0.01",
                  ("sgd", 16): "0.05", ("momentum", 16): "0.01", ("adam", 16): "0.01"}

OPTIMIZERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}

# init name -> (activation, residual)
NETWORKS = {
    "tanh": ("tanh", False),
    "relu": ("relu", False),
    "relu_residual": ("relu", True),
}

ACTIVATIONS = {
    "relu": torch.relu,          # relu'(0) = 0 in torch, as in descent
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
}


def label_order(labels):
    """descent's class order: numeric when every label is a number, else bytes."""
    try:
        return sorted(set(labels), key=float)
    except ValueError:
        return sorted(set(labels), key=lambda s: s.encode())


def read_raw(path, target):
    """Raw features (list of rows of floats), labels as text, feature names."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    t = header.index(target)
    features = [[float(v) for i, v in enumerate(row) if i != t] for row in body]
    labels = [row[t] for row in body]
    names = [h for i, h in enumerate(header) if i != t]
    return features, labels, names


def statistics(features):
    """descent --standardize: mean, population std (1 if 0), plain sums."""
    n, d = len(features), len(features[0])
    means, scales = [], []
    for j in range(d):
        total = 0.0
        for row in features:
            total += row[j]
        mean = total / n
        squares = 0.0
        for row in features:
            squares += (row[j] - mean) * (row[j] - mean)
        variance = squares / n
        scale = math.sqrt(variance) if variance > 0.0 else 1.0
        means.append(mean)
        scales.append(scale)
    return means, scales


def standardise(features, means, scales):
    return torch.tensor([[(v - m) / s for v, m, s in zip(row, means, scales)]
                         for row in features])


def read_model(path):
    """Layers [(in, out, activation, skip, W, b)], feature stats, classes."""
    layers, means, scales, classes = {}, {}, {}, {}
    weights, biases = {}, {}
    with open(path, newline="") as f:
        for rec in csv.reader(f):
            kind = rec[0]
            if kind == "layer":
                layers[int(rec[1])] = (int(rec[2]), int(rec[3]), rec[4], rec[5] == "1")
            elif kind == "feature":
                means[int(rec[1])] = float(rec[3])
                scales[int(rec[1])] = float(rec[4])
            elif kind == "class":
                classes[int(rec[1])] = rec[2]
            elif kind == "weight":
                weights[(int(rec[1]), int(rec[2]), int(rec[3]))] = float(rec[4])
            elif kind == "bias":
                biases[(int(rec[1]), int(rec[2]))] = float(rec[3])
    net = []
    for l in sorted(layers):
        n_in, n_out, act, skip = layers[l]
        W = torch.tensor([[weights[(l, r, c)] for c in range(1, n_in + 1)]
                          for r in range(1, n_out + 1)])
        b = torch.tensor([biases[(l, r)] for r in range(1, n_out + 1)])
        if skip and n_in != n_out:
            sys.exit("%s: layer %d skips but is %d -> %d" % (path, l, n_in, n_out))
        net.append((act, skip, W.requires_grad_(), b.requires_grad_()))
    d = len(means)
    return (net, [means[j] for j in range(1, d + 1)], [scales[j] for j in range(1, d + 1)],
            [classes[k] for k in range(len(classes))])


def forward(net, X):
    h = X
    for act, skip, W, b in net:
        a = ACTIVATIONS[act](h @ W.t() + b)
        h = h + a if skip else a
    return h


def mean_loss(net, X, y):
    # cross_entropy: mean over rows of logsumexp(z) - z_y.
    return functional.cross_entropy(forward(net, X), y)


def train(net, X, y, optimizer, lr_text, batch_size):
    n = X.shape[0]
    params = [p for _, _, W, b in net for p in (W, b)]
    opt = OPTIMIZERS[optimizer](params, float(lr_text))
    step = n if batch_size == 0 else batch_size

    def whole():
        with torch.no_grad():
            return float(mean_loss(net, X, y))

    losses = [whole()]
    for _ in range(EPOCHS):
        for start in range(0, n, step):   # file order; last batch partial
            opt.zero_grad()
            mean_loss(net, X[start:start + step], y[start:start + step]).backward()
            opt.step()
        losses.append(whole())
    return losses


def make_inits(top, fixtures, descent):
    wine = os.path.join(top, "data", "wine.csv")
    for name, (act, residual) in NETWORKS.items():
        args = [descent, "-m", "softmax", "--hidden", "16,16", "--activation", act,
                "--standardize", "--seed", SEED, "-e", "0", "-q"]
        if residual:
            args.append("--residual")
        with open(wine, "rb") as stdin, \
                open(os.path.join(fixtures, "network_init_%s.csv" % name), "wb") as out:
            subprocess.run(args, stdin=stdin, stdout=out, check=True)


def main():
    top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", ".."))
    fixtures = os.path.join(top, "tests", "fixtures")
    descent = os.environ.get("DESCENT")
    if descent:
        make_inits(top, fixtures, descent)

    # (data, init, hidden, activation, residual, net builder, X, y)
    problems = []

    features, labels, _ = read_raw(os.path.join(top, "data", "iris.csv"), "species")
    order = label_order(labels)
    means, scales = statistics(features)
    X_iris = standardise(features, means, scales)
    y_iris = torch.tensor([order.index(v) for v in labels])

    def zero_softmax():
        W = torch.zeros(len(order), X_iris.shape[1], requires_grad=True)
        b = torch.zeros(len(order), requires_grad=True)
        return [("identity", False, W, b)]

    problems.append(("iris", "zero", "none", "none", 0, zero_softmax, X_iris, y_iris))

    features, labels, _ = read_raw(os.path.join(top, "data", "wine.csv"), "cultivar")
    order = label_order(labels)
    my_means, my_scales = statistics(features)
    for name, (act, residual) in NETWORKS.items():
        path = os.path.join(fixtures, "network_init_%s.csv" % name)
        _, means, scales, classes = read_model(path)
        if means != my_means or scales != my_scales:
            sys.exit("%s: standardisation statistics differ from data/wine.csv's" % path)
        if classes != order:
            sys.exit("%s: classes %r, expected %r" % (path, classes, order))
        X = standardise(features, means, scales)
        y = torch.tensor([order.index(v) for v in labels])
        problems.append(("wine", name, "16;16", act, int(residual),
                         lambda path=path: read_model(path)[0], X, y))

    records = 0
    with open(os.path.join(fixtures, "torch_networks.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["data", "init", "hidden", "activation", "residual", "optimizer", "lr",
                      "batch_size", "epoch", "loss"])
        for data, init, hidden, act, residual, build, X, y in problems:
            for optimizer in OPTIMIZERS:
                for batch_size in BATCH_SIZES:
                    lr_text = LEARNING_RATES[(optimizer, batch_size)]
                    losses = train(build(), X, y, optimizer, lr_text, batch_size)
                    for epoch, loss in enumerate(losses):
                        if not math.isfinite(loss):
                            sys.exit("%s %s %s b=%d diverged at epoch %d"
                                     % (data, init, optimizer, batch_size, epoch))
                        out.writerow([data, init, hidden, act, residual, optimizer, lr_text,
                                      batch_size, epoch, repr(loss)])
                        records += 1
                    print("%-5s %-13s %-8s b=%-2d loss %.6g -> %.6g"
                          % (data, init, optimizer, batch_size, losses[0], losses[-1]))
    print("torch_networks.csv: %d records" % records)


if __name__ == "__main__":
    main()
