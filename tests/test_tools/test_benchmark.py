"""Smoke test of tools/analysis_tools/benchmark.py (tiny sizes; it checks
that every part runs and reports positive numbers, not the speed)."""
import os.path as osp
import re
import sys

import pytest
from tool_utils import TINY_TRAIN

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# TINY_TRAIN without its batch size: the benchmark sets its own
TINY = [
    o for o in TINY_TRAIN
    if not o.startswith('train_dataloader.batch_size')
]


@pytest.fixture(scope='module')
def benchmark():
    sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
    try:
        import benchmark as tool
    finally:
        sys.path.pop(0)
    return tool


@pytest.mark.timeout(300)
def test_benchmark_all_parts(benchmark, capsys):
    rows = benchmark.main([
        osp.join(REPO, 'configs', 'synthetic_k10.py'), '--iters', '2',
        '--warmup', '1', '--batch-size', '4', '--workers', '0', '--pair-batch',
        '2', '--pair-size', '32', '--cfg-options', *TINY
    ]).rows
    parts = {r[0] for r in rows}
    assert parts == {'overhead', 'pairs', 'memory', 'inference', 'floor'}
    for part, what, value, _ in rows:
        number = float(re.match(r'[-+]?[\d.]+', value).group())
        if 'runner / plain' not in what:
            assert number > 0, (part, what, value)
    out = capsys.readouterr().out
    assert '| part | measurement | value | notes |' in out
    assert 'runner / plain - 1' in out
    assert 'x the float32 floor' in out
    floor = [r for r in rows if r[0] == 'floor']
    # the config's step and the release model's, each in float32 at least
    assert sum(': step, float32' in r[1] for r in floor) == 2


def test_amp_needs_cuda(benchmark):
    with pytest.raises(SystemExit):
        benchmark.parse_args(['--amp', '--device', 'cpu'])
    with pytest.raises(SystemExit):
        benchmark.parse_args(['--parts', 'overhead,speed'])
