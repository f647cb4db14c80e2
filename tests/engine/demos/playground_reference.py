"""A slow, point-by-point re-statement of the Playground's training rule (src/nn.ts).

Plain Python floats, one point at a time, accumulators carried across epochs, exactly
the node/link bookkeeping of the Playground: forwardProp, backProp (accumulate), and
updateWeights after every `batch` points. The vectorised trainer must match it.
"""

from __future__ import annotations

import math

import numpy as np

ACT = {
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(0.0, z), lambda z: 0.0 if z <= 0 else 1.0),
    "sigmoid": (
        lambda z: 1 / (1 + math.exp(-z)),
        lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z))),
    ),
    "linear": (lambda z: z, lambda z: 1.0),
}
REG_DER = {"l1": lambda w: -1.0 if w < 0 else 1.0, "l2": lambda w: w}


class ReferenceNet:
    """Weights w[l][i][j] (from unit i of layer l to unit j of layer l+1), biases b[l][j]."""

    def __init__(self, params: list[np.ndarray], hidden: str, regression: bool) -> None:
        self.w = [p[:-1].tolist() for p in params]
        self.b = [p[-1].tolist() for p in params]
        self.dead = [[[False] * len(row) for row in w] for w in self.w]
        self.acc_w = [[[0.0] * len(row) for row in w] for w in self.w]
        self.num_w = [[[0] * len(row) for row in w] for w in self.w]
        self.acc_b = [[0.0] * len(b) for b in self.b]
        self.num_b = [[0] * len(b) for b in self.b]
        last = len(self.w) - 1
        self.acts = [ACT[hidden]] * last + [ACT["linear" if regression else "tanh"]]

    def forward(self, x: list[float]) -> float:
        self.outputs, self.totals = [list(x)], []
        for k, (w, b) in enumerate(zip(self.w, self.b, strict=True)):
            prev = self.outputs[-1]
            total = [b[j] + sum(w[i][j] * prev[i] for i in range(len(prev))) for j in range(len(b))]
            self.totals.append(total)
            self.outputs.append([self.acts[k][0](t) for t in total])
        return self.outputs[-1][0]

    def backprop(self, target: float) -> None:
        out_der = [self.outputs[-1][0] - target]
        for k in range(len(self.w) - 1, -1, -1):
            input_der = [
                out_der[j] * self.acts[k][1](self.totals[k][j]) for j in range(len(out_der))
            ]
            for j, d in enumerate(input_der):
                self.acc_b[k][j] += d
                self.num_b[k][j] += 1
                for i in range(len(self.w[k])):
                    if not self.dead[k][i][j]:
                        self.acc_w[k][i][j] += d * self.outputs[k][i]
                        self.num_w[k][i][j] += 1
            if k:
                out_der = [
                    sum(self.w[k][i][j] * input_der[j] for j in range(len(input_der)))
                    for i in range(len(self.w[k]))
                ]

    def update(self, lr: float, reg: str, rate: float) -> None:
        for k in range(len(self.w)):
            for j in range(len(self.b[k])):
                if self.num_b[k][j]:
                    self.b[k][j] -= lr * self.acc_b[k][j] / self.num_b[k][j]
                    self.acc_b[k][j], self.num_b[k][j] = 0.0, 0
                for i in range(len(self.w[k])):
                    if self.dead[k][i][j] or not self.num_w[k][i][j]:
                        continue
                    w = self.w[k][i][j]
                    reg_der = REG_DER[reg](w) if reg != "none" else 0.0
                    w -= lr / self.num_w[k][i][j] * self.acc_w[k][i][j]
                    new = w - lr * rate * reg_der
                    if reg == "l1" and w * new < 0:
                        new, self.dead[k][i][j] = 0.0, True
                    self.w[k][i][j] = new
                    self.acc_w[k][i][j], self.num_w[k][i][j] = 0.0, 0

    def params(self) -> list[np.ndarray]:
        return [
            np.vstack([np.array(w), np.array([b])]) for w, b in zip(self.w, self.b, strict=True)
        ]


def reference_train(ref: ReferenceNet, x: np.ndarray, y: np.ndarray, config) -> list[float]:
    """Train like the Playground's oneStep() for config.epochs epochs; returns train losses."""
    losses = []
    for _ in range(config.epochs):
        for i, (point, target) in enumerate(zip(x.tolist(), y.tolist(), strict=True)):
            ref.forward(point)
            ref.backprop(target)
            if (i + 1) % config.batch == 0:
                ref.update(config.lr, config.regularization, config.reg_rate)
        losses.append(
            sum(
                0.5 * (ref.forward(p) - t) ** 2 for p, t in zip(x.tolist(), y.tolist(), strict=True)
            )
            / len(y)
        )
    return losses
