#!/usr/bin/python3
"""Reference losses from PyTorch (float64) for the descent CLI tests.

Run once, by hand, from the top of the source tree:

    /usr/bin/python3 tests/reference/make_torch_fixtures.py

It writes two fixtures that are committed, so that `make check` never needs
Python or PyTorch:

  tests/fixtures/torch_losses.csv
      model,optimizer,lr,batch_size,weight_decay,epoch,loss
      The exact mean training loss (data loss only) before any step (epoch 0)
      and after each of 15 epochs, for every first-order optimizer of descent,
      both models, full batch and mini-batches of 32 in file order, with and
      without weight decay.  tests/cli/torch_reference.sh compares descent
      against it.

  tests/fixtures/lbfgs_optimum.csv
      name,value
      The exact minimum of the L2-regularised logistic regression that
      tests/cli/lbfgs.sh asks descent's L-BFGS to reach, found by Newton's
      method.

Everything is done the way descent does it, so the numbers agree to rounding:
the data are read with the csv module, every feature is standardised to mean
0 and population standard deviation 1 (a constant column keeps scale 1), the
model is an explicit weight row W (1 x d) and bias b, both starting at zero,
and weight decay is applied to W only, never to b.  The optimizers are
torch.optim's, with descent's names and default hyper-parameters; adadelta-w
(the course's AdaDelta) has no PyTorch twin and is written out below from the
formula in SPEC section 4.
"""

import csv
import math
import os
import sys

import torch
import torch.nn.functional as functional

torch.set_default_dtype(torch.float64)

EPOCHS = 15
BATCH_SIZES = (0, 32)           # 0 = full batch, as descent's -b 0
WEIGHT_DECAYS = ("0", "0.01")   # kept as text: written to the fixture verbatim
LBFGS_WEIGHT_DECAY = 0.01

# descent --model NAME: data file (under data/) and target column.
PROBLEMS = {
    "linear": ("diabetes.csv", "progression"),
    "logistic": ("breast_cancer.csv", "malignant_is_0"),
}


class AdadeltaW(torch.optim.Optimizer):
    """The course's AdaDelta, descent's adadelta-w (SPEC section 4).

    With gamma = 1 - rho:
        S_g <- (1 - gamma) S_g + gamma g^2
        S_w <- (1 - gamma) S_w + gamma w^2      (w before the step)
        w   <- w - lr sqrt((S_w + eps) / (S_g + eps)) g
    Unlike Zeiler's AdaDelta the numerator tracks the weights themselves, not
    the past updates.  Weight decay is coupled, g += weight_decay * w, as for
    every descent optimizer but adamw.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            gamma = 1.0 - group["rho"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g = w.grad
                if group["weight_decay"] != 0:
                    g = g.add(w, alpha=group["weight_decay"])
                state = self.state[w]
                if not state:
                    state["square_grad"] = torch.zeros_like(w)
                    state["square_weight"] = torch.zeros_like(w)
                square_grad = state["square_grad"]
                square_weight = state["square_weight"]
                square_grad.mul_(1.0 - gamma).addcmul_(g, g, value=gamma)
                square_weight.mul_(1.0 - gamma).addcmul_(w, w, value=gamma)
                ratio = (square_weight + group["eps"]) / (square_grad + group["eps"])
                w.sub_(group["lr"] * ratio.sqrt() * g)
        return None


# descent --optimizer NAME: a function of the parameter groups building the
# torch optimizer with descent's defaults for NAME.  Each group carries its
# own weight_decay, so the group value is what counts.
# The step size each optimizer is run with, as descent's --lr text.
LEARNING_RATES = {"sgd": "0.01", "momentum": "0.01", "nesterov": "0.01", "adagrad": "0.01",
                  "rmsprop": "0.01", "adadelta": "1", "adadelta-w": "0.1", "adam": "0.001",
                  "adamw": "0.001", "amsgrad": "0.001"}

OPTIMIZERS = {
    "sgd": lambda groups: torch.optim.SGD(groups, lr=0.01),
    "momentum": lambda groups: torch.optim.SGD(groups, lr=0.01, momentum=0.9),
    "nesterov": lambda groups: torch.optim.SGD(groups, lr=0.01, momentum=0.9,
                                               nesterov=True),
    "adagrad": lambda groups: torch.optim.Adagrad(groups, lr=0.01, eps=1e-10),
    "rmsprop": lambda groups: torch.optim.RMSprop(groups, lr=0.01, alpha=0.99,
                                                  eps=1e-8),
    "adadelta": lambda groups: torch.optim.Adadelta(groups, lr=1.0, rho=0.9,
                                                    eps=1e-6),
    # Not the default lr 1.0: at 1.0 this rule is unstable on the logistic
    # problem (the loss climbs to 1e4 in 15 epochs), which amplifies rounding
    # by ~1e10 and would make any reference meaningless beyond a few epochs.
    "adadelta-w": lambda groups: AdadeltaW(groups, lr=0.1, rho=0.9, eps=1e-6),
    "adam": lambda groups: torch.optim.Adam(groups, lr=1e-3),
    "adamw": lambda groups: torch.optim.AdamW(groups, lr=1e-3),
    "amsgrad": lambda groups: torch.optim.Adam(groups, lr=1e-3, amsgrad=True),
}


def read_problem(path, target):
    """Features X (n x d) standardised as descent --standardize does, and y."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    target_column = header.index(target)
    features = [[float(v) for i, v in enumerate(row) if i != target_column]
                for row in body]
    y = [float(row[target_column]) for row in body]
    n, d = len(features), len(features[0])
    # Plain left-to-right sums, like descent's loops (Python's sum() may
    # compensate, which would be more exact than the program under test).
    for j in range(d):
        total = 0.0
        for row in features:
            total += row[j]
        mean = total / n
        squares = 0.0
        for row in features:
            squares += (row[j] - mean) * (row[j] - mean)
        scale = math.sqrt(squares / n)
        if scale == 0.0:
            scale = 1.0
        for row in features:
            row[j] = (row[j] - mean) / scale
    return torch.tensor(features), torch.tensor(y)


def data_loss(model, W, b, X, y):
    """Mean loss of the rows X, y: descent's per-example losses, averaged."""
    z = (X @ W.t()).reshape(-1) + b
    if model == "linear":
        return ((z - y) ** 2).mean()
    return functional.binary_cross_entropy_with_logits(z, y)


def train(model, X, y, optimizer, batch_size, weight_decay):
    """Mean training loss after epochs 0..EPOCHS, as floats."""
    n, d = X.shape
    W = torch.zeros(1, d, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    groups = [{"params": [W], "weight_decay": weight_decay},
              {"params": [b], "weight_decay": 0.0}]
    opt = OPTIMIZERS[optimizer](groups)
    step = n if batch_size == 0 else batch_size

    def whole_set_loss():
        with torch.no_grad():
            return float(data_loss(model, W, b, X, y))

    losses = [whole_set_loss()]
    for _ in range(EPOCHS):
        # File order; the last, partial batch is a step of its own.
        for start in range(0, n, step):
            opt.zero_grad()
            loss = data_loss(model, W, b, X[start:start + step], y[start:start + step])
            loss.backward()
            opt.step()
        losses.append(whole_set_loss())
    return losses


def write_torch_losses(top, path):
    records = 0
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["model", "optimizer", "lr", "batch_size", "weight_decay", "epoch",
                      "loss"])
        for model, (data_file, target) in PROBLEMS.items():
            X, y = read_problem(os.path.join(top, "data", data_file), target)
            for optimizer in OPTIMIZERS:
                for batch_size in BATCH_SIZES:
                    for decay_text in WEIGHT_DECAYS:
                        losses = train(model, X, y, optimizer, batch_size, float(decay_text))
                        for epoch, loss in enumerate(losses):
                            if not math.isfinite(loss):
                                sys.exit("%s %s b=%d wd=%s diverged at epoch %d"
                                         % (model, optimizer, batch_size, decay_text, epoch))
                            out.writerow([model, optimizer, LEARNING_RATES[optimizer],
                                          batch_size, decay_text, epoch, repr(loss)])
                            records += 1
    return records


def lbfgs_optimum(top, path):
    """Minimise mean BCE + lambda/2 |W|^2 (b not decayed) by Newton's method."""
    data_file, target = PROBLEMS["logistic"]
    X, y = read_problem(os.path.join(top, "data", data_file), target)
    n, d = X.shape
    # The bias is the last coordinate of theta and the last column of A.
    A = torch.cat([X, torch.ones(n, 1)], dim=1)
    decayed = torch.ones(d + 1)
    decayed[d] = 0.0
    lam = LBFGS_WEIGHT_DECAY

    def objective_parts(theta):
        z = A @ theta
        data = functional.binary_cross_entropy_with_logits(z, y)
        return data, data + 0.5 * lam * (decayed * theta * theta).sum()

    def gradient(theta):
        p = torch.sigmoid(A @ theta)
        return A.t() @ (p - y) / n + lam * decayed * theta

    theta = torch.zeros(d + 1)
    for iteration in range(100):
        g = gradient(theta)
        gradient_norm = float(g.norm())
        if gradient_norm < 1e-13:
            break
        p = torch.sigmoid(A @ theta)
        hessian = A.t() @ (A * (p * (1 - p)).unsqueeze(1)) / n + lam * torch.diag(decayed)
        theta = theta - torch.linalg.solve(hessian, g)
    else:
        sys.exit("Newton did not reach |grad| < 1e-13 (last %g)" % gradient_norm)
    data, total = objective_parts(theta)
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["name", "value"])
        out.writerow(["objective", repr(float(total))])
        out.writerow(["data_loss", repr(float(data))])
        out.writerow(["gradient_norm", repr(gradient_norm)])
    return iteration, float(total), gradient_norm


def main():
    top = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", ".."))
    fixtures = os.path.join(top, "tests", "fixtures")
    records = write_torch_losses(top, os.path.join(fixtures, "torch_losses.csv"))
    print("torch_losses.csv: %d records" % records)
    iterations, objective, gradient_norm = lbfgs_optimum(
        top, os.path.join(fixtures, "lbfgs_optimum.csv"))
    print("lbfgs_optimum.csv: F* = %r after %d Newton steps, |grad| = %g"
          % (objective, iterations, gradient_norm))


if __name__ == "__main__":
    main()
