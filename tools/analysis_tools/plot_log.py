"""Training curves of a run as one PNG (see docs/training.md, "Curves and
pictures").

Reads the ``scalars.json`` that mmengine's ``LocalVisBackend`` writes
(``<work_dir>/<timestamp>/vis_data/scalars.json``: one JSON dict per line,
with ``step`` and the logged scalars) and draws one subplot per group of
keys: the losses, the points' diagnostics (``keypoint_spread``,
``keypoint_dispersion``, ``keypoint_in_box``), the gradient norm, the
learning rate and the validation metrics (``NME``, ``NME_mean_shape``,
``NME_untrained``...):

    python tools/analysis_tools/plot_log.py work_dirs/synthetic_k10
    python tools/analysis_tools/plot_log.py \\
        RUN/20260101_120000/vis_data/scalars.json \\
        --keys loss keypoint_dispersion NME --out curves.png

A work dir is searched for its newest ``scalars.json`` (the last start of a
resumed run). Without ``--out`` the PNG is ``curves.png`` beside the file.
"""
import argparse
import glob
import json
import math
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

# bookkeeping keys of mmengine's log, never plotted
NOT_CURVES = ('step', 'iter', 'epoch', 'time', 'data_time', 'memory',
              'eta')
# subplot title -> test on a key, in the order the subplots are drawn
GROUPS = [
    ('loss', lambda k: k.startswith('loss') or k.endswith('_loss')),
    ('keypoint diagnostics', lambda k: k.startswith('keypoint_')),
    ('gradient norm', lambda k: 'grad' in k),
    ('learning rate', lambda k: k == 'lr' or k.endswith('_lr')
     or k.startswith('lr_')),
]
VALIDATION = 'validation metrics'
OTHER = 'other'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Plot the losses, diagnostics and validation metrics '
        'of a run (its scalars.json) to one PNG')
    parser.add_argument(
        'log', help='a work dir (its newest */vis_data/scalars.json), a '
        'vis_data dir, or a scalars.json file')
    parser.add_argument(
        '--keys',
        nargs='+',
        help='only these keys (default: every logged curve but the timing '
        'and memory)')
    parser.add_argument(
        '--out', help='output PNG (default: curves.png beside scalars.json)')
    parser.add_argument(
        '--title', help='figure title (default: the scalars.json path)')
    return parser.parse_args(argv)


def find_scalars(path: str) -> str:
    """The ``scalars.json`` of a file path, a ``vis_data`` dir, a
    ``<timestamp>`` dir or a work dir (the newest of its runs).

    Raises:
        FileNotFoundError: Naming the path and the places searched.
    """
    if osp.isfile(path):
        return path
    if osp.isdir(path):
        patterns = [
            osp.join(path, 'scalars.json'),
            osp.join(path, 'vis_data', 'scalars.json'),
            osp.join(path, '*', 'vis_data', 'scalars.json'),
        ]
        for pattern in patterns:
            found = glob.glob(pattern)
            if found:
                # timestamp dirs (YYYYmmdd_HHMMSS) sort by time; the
                # modification time breaks ties
                return max(found, key=lambda p: (osp.dirname(p),
                                                 osp.getmtime(p)))
        raise FileNotFoundError(
            f'no scalars.json in {path} (looked for '
            f'{", ".join(osp.relpath(p, path) for p in patterns)}); '
            f'mmengine\'s LocalVisBackend writes '
            f'<work_dir>/<timestamp>/vis_data/scalars.json')
    raise FileNotFoundError(f'{path} does not exist (expected a work dir '
                            f'or a scalars.json file)')


def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def read_scalars(path: str) -> Tuple[Dict[str, Tuple[List[float],
                                                     List[float]]], set]:
    """Curves of a ``scalars.json``.

    Returns:
        tuple: ``{key: (steps, values)}`` for every key with a finite
        number, in first-seen order, and the set of keys logged in records
        without a loss (the validation records).

    Raises:
        ValueError: A line other than the last is not a JSON dict, or the
            file holds no numbers; both name the file.
    """
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    curves: Dict[str, Tuple[List[float], List[float]]] = OrderedDict()
    validation = set()
    for n, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            if n == len(lines):  # a run still writing: a cut last line
                break
            raise ValueError(f'{path}, line {n}: not JSON ({e})') from e
        if not isinstance(record, dict):
            raise ValueError(f'{path}, line {n}: expected a JSON dict, got '
                             f'{type(record).__name__}')
        step = record.get('step', record.get('iter', n))
        if not _is_number(step):
            continue
        keys = [
            k for k, v in record.items()
            if k not in NOT_CURVES and _is_number(v)
        ]
        if not any(k.startswith('loss') for k in record):
            validation.update(keys)
        for k in keys:
            steps, values = curves.setdefault(k, ([], []))
            steps.append(step)
            values.append(float(record[k]))
    if not curves:
        raise ValueError(f'{path} holds no numbers to plot ({len(lines)} '
                         f'lines; expected JSON dicts with "step" and '
                         f'scalar values, one a line)')
    return curves, validation


def group_keys(keys: Sequence[str],
               validation: set) -> 'OrderedDict[str, List[str]]':
    """Subplot title -> keys: the training groups of :data:`GROUPS`, the
    validation metrics (those named ``<prefix>/<name>``, such as the
    label-free ``equivariance/*``, one subplot per prefix), then the
    rest."""
    groups: 'OrderedDict[str, List[str]]' = OrderedDict()
    for key in keys:
        title = next((t for t, test in GROUPS if test(key)), None)
        if title is None:
            title = VALIDATION if key in validation else OTHER
            if '/' in key:
                title = f'{title}: {key.split("/")[0]}'
        groups.setdefault(title, []).append(key)
    order = [t for t, _ in GROUPS] + [VALIDATION]
    rest = sorted((t for t in groups if t not in order),
                  key=lambda t: (t.startswith(OTHER), t))
    return OrderedDict((t, groups[t]) for t in order + rest if t in groups)


def plot_curves(curves: Dict[str, Tuple[List[float], List[float]]],
                groups: 'OrderedDict[str, List[str]]', out: str,
                title: Optional[str] = None) -> str:
    """Draw one subplot per group to ``out`` (PNG); returns ``out``."""
    n = len(groups)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(6.4 * cols, 3.6 * rows), squeeze=False)
    for ax, (name, keys) in zip(axes.flat, groups.items()):
        for key in keys:
            steps, values = curves[key]
            marker = 'o' if len(steps) <= 20 else None
            ax.plot(steps, values, label=key, marker=marker, markersize=3)
        if name == 'loss' and all(
                v > 0 for k in keys for v in curves[k][1]):
            ax.set_yscale('log')
        ax.set_title(name)
        ax.set_xlabel('iteration')
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize='small')
    for ax in list(axes.flat)[n:]:
        ax.axis('off')
    if title:
        fig.suptitle(title, fontsize='small')
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def main(argv=None) -> str:
    """Plot; returns the PNG's path."""
    args = parse_args(argv)
    path = find_scalars(args.log)
    curves, validation = read_scalars(path)
    keys = list(curves)
    if args.keys:
        missing = [k for k in args.keys if k not in curves]
        if missing:
            raise ValueError(f'{path} has no numbers for {missing}; it has '
                             f'{keys}')
        keys = list(args.keys)
    out = args.out or osp.join(osp.dirname(path), 'curves.png')
    plot_curves(curves, group_keys(keys, validation), out,
                args.title or path)
    print(f'{len(keys)} curves of {path} plotted to {out}')
    return out


if __name__ == '__main__':
    main()
