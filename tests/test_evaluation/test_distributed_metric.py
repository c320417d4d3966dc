"""The metric under distributed evaluation: two CPU processes (gloo)."""
import os
import socket

import numpy as np
import pytest
import torch.distributed as dist
import torch.multiprocessing as mp

from mmkp_unsup.evaluation import LandmarkRegressionMetric


def data():
    rng = np.random.RandomState(0)
    samples = []
    for i in range(60):
        kp = rng.rand(1, 3, 2) * 32
        lm = np.concatenate([kp[:, :2] * 1.5, kp[:, 2:] + rng.rand(1, 1, 2)],
                            axis=1)
        samples.append(
            dict(regression_split='fit' if i < 40 else 'eval',
                 pred_instances=dict(keypoints=kp),
                 gt_instances=dict(keypoints=lm,
                                   keypoints_visible=np.ones((1, 3)))))
    return samples


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def worker(rank, world_size, port, queue):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    try:
        samples = data()
        metric = LandmarkRegressionMetric()
        # a distributed sampler's split: every world_size-th sample
        metric.process({}, samples[rank::world_size])
        queue.put((rank, metric.evaluate(len(samples))))
    finally:
        dist.destroy_process_group()


@pytest.mark.timeout(120)
def test_gathered_results_equal_single_process():
    single = LandmarkRegressionMetric()
    single.process({}, data())
    expected = single.evaluate(60)

    ctx = mp.get_context('spawn')
    queue = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=worker, args=(r, 2, port, queue))
             for r in range(2)]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=100) for _ in procs)
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    for rank in range(2):
        assert results[rank] == pytest.approx(expected)
