"""Training pairs from frames on disk against frames drawn in memory.

    python tools/analysis_tools/benchmark_frames.py [--clips 200]
        [--rounds 7] [--pairs 400] [--data-root DIR]

The held-out creatures at 32x32 reach training two ways with the same
settings (clips of 8 frames, pairs at least 3 frames apart):

- ``memory``: ``configs/synthetic_objects_k10.py``'s training set,
  ``SyntheticObjectDataset`` with its images drawn once and cached;
- ``disk``: the same images written as PNG clips
  (``tools/misc/make_synthetic_objects.py``) and read by
  ``configs/footage_template_k10.py``'s training set, ``ClipFolderDataset``
  and the template's frame pipeline: with ``LoadImage`` reading every
  frame and mmpose's ``TopdownAffine``; with ``cache_images=True`` (each
  frame decoded once); and with ``FrameToInput`` in place of
  ``TopdownAffine`` (no warp for frames that are the input).

Every route is timed on the same pair indices in each round, the routes
interleaved round by round, so that a change of the machine's load hits all
of them alike; the table gives the median over rounds of the ms per pair
(one ``dataset[i]``: both frames, the pair sampler, the packing) and the
ratio to ``memory``. Times are the process's CPU time (``time.process_time``),
not the wall clock: on a machine shared with other jobs a process waiting
for a core is not charged for the wait. A second table splits one disk frame into its steps.
Numbers are for the loading process alone (no training), on this CPU.
"""
import argparse
import copy
import os
import os.path as osp
import platform
import statistics
import sys
import tempfile
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--clips', type=int, default=200,
                        help='training clips of 8 frames')
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--pairs', type=int, default=400,
                        help='pairs per route and round')
    parser.add_argument('--data-root', default=None,
                        help='where the PNG clips go (default: a temporary '
                        'folder)')
    return parser.parse_args(argv)


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else
    :func:`platform.processor`."""
    if osp.isfile('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    return platform.processor() or 'unknown'


def build_routes(root: str, clips: int) -> dict:
    """The training datasets of both configs on the same creatures."""
    from mmengine.config import Config
    from mmpose.registry import DATASETS
    objects = Config.fromfile(
        osp.join(ROOT, 'configs', 'synthetic_objects_k10.py'))
    memory = copy.deepcopy(objects.train_dataloader.dataset)
    memory.dataset.num_clips = clips

    footage = Config.fromfile(
        osp.join(ROOT, 'configs', 'footage_template_k10.py'))
    disk = copy.deepcopy(footage.train_dataloader.dataset)
    disk.dataset.update(data_root=root, ann_file='annotations/train.json')
    assert disk.pair_sampler.min_gap == memory.pair_sampler.min_gap == 3

    routes = dict(memory=memory, disk=disk)
    cached = copy.deepcopy(disk)
    cached.dataset.cache_images = True
    routes['disk, cache_images'] = cached
    fast = copy.deepcopy(cached)
    fast.dataset.pipeline = [
        dict(t, type='FrameToInput') if t['type'] == 'TopdownAffine' else t
        for t in fast.dataset.pipeline
    ]
    routes['disk, cache_images, FrameToInput'] = fast
    return {name: DATASETS.build(cfg) for name, cfg in routes.items()}


def time_pairs(dataset, indices) -> float:
    """ms per pair for ``dataset[i]`` over ``indices``."""
    start = time.process_time()
    for i in indices:
        dataset[i]
    return 1e3 * (time.process_time() - start) / len(indices)


def frame_steps(dataset, indices) -> list:
    """ms per frame of each step of a ClipFolderDataset sample, from its
    data info to the end of its pipeline."""
    rows = []
    start = time.process_time()
    infos = [dataset.get_data_info(i) for i in indices]
    rows.append(('get_data_info (unpickle the info, copy the meta)',
                 1e3 * (time.process_time() - start) / len(indices)))
    for step in dataset.pipeline.transforms:
        start = time.process_time()
        infos = [step(info) for info in infos]
        rows.append((type(step).__name__,
                     1e3 * (time.process_time() - start) / len(indices)))
    return rows


def time_frames(dataset, indices) -> float:
    """ms per frame of ``prepare_data`` (data info, cache, pipeline)."""
    start = time.process_time()
    for i in indices:
        dataset.prepare_data(i)
    return 1e3 * (time.process_time() - start) / len(indices)


def main(argv=None) -> dict:
    args = parse_args(argv)
    import cv2
    import torch
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    import mmkp_unsup  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    from mmkp_unsup.datasets.synthetic import SyntheticObjectDataset
    sys.path.insert(0, osp.join(ROOT, 'tools', 'misc'))
    import make_synthetic_objects

    tmp = None
    root = args.data_root
    if root is None:
        tmp = tempfile.TemporaryDirectory()
        root = tmp.name
    if not osp.isfile(osp.join(root, 'annotations', 'train.json')):
        start = time.process_time()
        make_synthetic_objects.write_split(
            SyntheticObjectDataset(num_clips=args.clips, frames_per_clip=8,
                                   image_size=32, seed=0, pipeline=[]),
            root, 'train')
        print(f'wrote {8 * args.clips} PNG frames in '
              f'{time.process_time() - start:.1f} s')
    routes = build_routes(root, args.clips)
    sizes = {name: len(d) for name, d in routes.items()}
    assert len(set(sizes.values())) == 1, sizes
    n = sizes['memory']
    rng = np.random.default_rng(0)
    # one pass over every route first: the caches filled, as in a long run
    for dataset in routes.values():
        time_pairs(dataset, range(n))
    times = {name: [] for name in routes}
    for _ in range(args.rounds):
        indices = rng.integers(0, n, args.pairs)
        for name, dataset in routes.items():
            times[name].append(time_pairs(dataset, indices))
    medians = {name: statistics.median(t) for name, t in times.items()}
    load = os.getloadavg()
    print(f'\nCPU: {cpu_model()}; load average {load[0]:.1f} / {load[1]:.1f}'
          f' / {load[2]:.1f}; {os.cpu_count()} cores; one process')
    print(f'{n} frames of 32x32 in {args.clips} clips; {args.rounds} rounds '
          f'of {args.pairs} pairs, routes interleaved\n')
    print('| route | CPU ms per pair (median) | min - max | x memory |')
    print('|---|---|---|---|')
    for name, value in medians.items():
        print(f'| {name} | {value:.3f} | {min(times[name]):.3f} - '
              f'{max(times[name]):.3f} | {value / medians["memory"]:.2f} |')
    indices = rng.integers(0, n, args.pairs)
    print('\n| step of one frame, disk route | CPU ms per frame |')
    print('|---|---|')
    for what, value in frame_steps(routes['disk'].dataset, indices):
        print(f'| {what} | {value:.3f} |')
    steps = frame_steps(routes['disk, cache_images, FrameToInput'].dataset,
                        indices)
    print(f'| {steps[-1][0]} instead of TopdownAffine | {steps[-1][1]:.3f} |')
    for name, dataset in routes.items():
        print(f'| all of prepare_data, {name} | '
              f'{time_frames(dataset.dataset, indices):.3f} |')
    if tmp is not None:
        tmp.cleanup()
    return dict(medians=medians, times=times)


if __name__ == '__main__':
    main()
