"""Speed and memory of training and inference (see docs/benchmark.md).

    python tools/analysis_tools/benchmark.py [CONFIG] [--device cpu|cuda]
        [--parts overhead,pairs,memory,inference,floor] [--release-widths]
        [--iters 30] [--warmup 5] [--batch-size N] [--workers 2]
        [--amp] [--channels-last {config,on,off}] [--compile]
        [--sweep] [--cfg-options k=v ...]

Parts (each prints rows of one table at the end):

- ``overhead``: the training step of CONFIG (default
  ``configs/synthetic_k10.py``) through mmengine's runner (its
  ``IterBasedTrainLoop`` with the configured hooks) against a plain PyTorch
  loop on the same model object, optimizer and dataloader, in one process.
  Per-iteration times (medians) and their ratio: the framework's overhead.
- ``pairs``: production of (source, target) pairs by ``TPSPairWarp`` at
  128x128 in dataloader workers (batches of ``--pair-batch``, default 50),
  against the consumption of the release's model (n_filters 32, 3 stages,
  128x128, perceptual loss) in pairs/s. The loss network's VGG-16 has
  random weights (``weights=None``): the speed is that of the real one.
- ``memory``: peak memory of one training step of that model per pair
  (CUDA: ``torch.cuda.max_memory_allocated``; CPU: the process's peak RSS,
  ``VmHWM``), as the slope between two batch sizes.
- ``inference``: keypoint-encoder images/s (Phi: encoder + soft-argmax) at
  128x128.
- ``floor``: the machine's compute floor of a training step: the rate of
  a 2048x2048 float32 matrix product (sgemm) on torch's threads, the
  FLOPs of one step (forward + backward, counted by torch's
  ``FlopCounterMode``) of CONFIG and of the release's model (128x128,
  ``--pair-batch``), and each step's time in float32 and, where the CPU
  has bfloat16 units (or on CUDA), under bfloat16 autocast, as a ratio to
  the float32 floor (FLOPs / sgemm rate), all in one run.

``--amp`` (CUDA only), ``--channels-last`` and ``--compile`` apply to every
part (``--compile``: mmengine's ``compile=True`` in the runner,
``torch.compile`` of the model in the plain loop); ``--sweep`` measures the
consumption and inference rows once per setting instead.
"""
import argparse
import copy
import os
import os.path as osp
import statistics
import sys
import tempfile
import time
from typing import Callable, List, Optional

import torch
from mmengine.config import Config, DictAction

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(REPO, 'configs', 'synthetic_k10.py')
RELEASE_MODEL = osp.join(REPO, 'configs', '_base_', 'models',
                         'conditional_generation.py')
PARTS = ('overhead', 'pairs', 'memory', 'inference', 'floor')


# ---------------------------------------------------------------- helpers
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark training and inference of mmkp_unsup')
    parser.add_argument(
        'config',
        nargs='?',
        default=DEFAULT_CONFIG,
        help='config of the overhead part (default: configs/synthetic_k10.py)')
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument(
        '--parts',
        default=','.join(PARTS),
        help=f'comma-separated subset of {",".join(PARTS)}')
    parser.add_argument(
        '--release-widths',
        action='store_true',
        help='overhead part at the release widths (n_filters 32, 3 stages, '
        '128x128, perceptual loss with a random VGG-16)')
    parser.add_argument(
        '--iters',
        type=int,
        default=30,
        help='timed iterations per measurement')
    parser.add_argument(
        '--warmup',
        type=int,
        default=5,
        help='untimed iterations before each measurement')
    parser.add_argument(
        '--batch-size',
        type=int,
        help='batch size of the overhead part (default: '
        "the config's)")
    parser.add_argument(
        '--workers',
        type=int,
        default=2,
        help='dataloader workers of the pairs part')
    parser.add_argument(
        '--pair-batch',
        type=int,
        default=50,
        help='batch size of the pairs, memory and inference '
        'parts (default 50, the release)')
    parser.add_argument(
        '--pair-size',
        type=int,
        default=128,
        help='image size of the pairs, memory and inference '
        'parts (default 128, the release)')
    parser.add_argument(
        '--pair-iters',
        type=int,
        help='timed iterations of the 128x128 model '
        '(default: --iters)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision (float16 autocast; CUDA only)')
    parser.add_argument(
        '--channels-last',
        default='config',
        choices=['config', 'on', 'off'],
        help='model.channels_last (default: as configured)')
    parser.add_argument(
        '--compile',
        action='store_true',
        help='torch.compile (mmengine compile=True)')
    parser.add_argument(
        '--sweep',
        action='store_true',
        help='consumption and inference once per setting: '
        'fp32, channels_last, amp (CUDA), compile')
    parser.add_argument(
        '--threads', type=int, help='torch CPU threads (default: torch\'s)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config')
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(',') if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f'--parts: unknown {sorted(unknown)}; expected a '
                     f'subset of {PARTS}')
    args.parts = parts
    if args.amp and args.device != 'cuda':
        parser.error('--amp needs --device cuda (mmengine\'s '
                     'AmpOptimWrapper trains on GPUs only)')
    if args.iters < 1 or args.warmup < 1:
        parser.error('--iters and --warmup must be >= 1')
    return args


def sync(device: str) -> None:
    if device == 'cuda':
        torch.cuda.synchronize()


def median_ms(times: List[float]) -> float:
    return 1000.0 * statistics.median(times)


def release_model(channels_last: bool) -> dict:
    """The release's model (128x128, n_filters 32, 3 stages, perceptual
    loss) with a random VGG-16: speed, not quality."""
    model = copy.deepcopy(Config.fromfile(RELEASE_MODEL).model)
    model.reconstruction_loss.loss_network.weights = None
    model.channels_last = channels_last
    return model


def resolve_channels_last(args, cfg_model: dict) -> bool:
    if args.channels_last == 'config':
        return bool(cfg_model.get('channels_last', False))
    return args.channels_last == 'on'


def autocast(device: str, enabled: bool):
    return torch.autocast(
        device_type=device, dtype=torch.float16, enabled=enabled)


class Rows:
    """Rows of the result table."""

    def __init__(self) -> None:
        self.rows: List[tuple] = []

    def add(self, part: str, what: str, value: str, note: str = '') -> None:
        self.rows.append((part, what, value, note))
        print(f'  {part:<10} {what:<48} {value:>14}  {note}', flush=True)

    def markdown(self) -> str:
        lines = ['| part | measurement | value | notes |', '|---|---|---|---|']
        lines += [f'| {p} | {w} | {v} | {n} |' for p, w, v, n in self.rows]
        return '\n'.join(lines)


# -------------------------------------------------- a. framework overhead
def overhead_cfg(args, work_dir: str) -> Config:
    cfg = Config.fromfile(args.config)
    if args.release_widths:
        cl = resolve_channels_last(args, cfg.model)
        cfg.model = release_model(cl)
        cfg.train_dataloader.dataset.dataset.image_size = 128
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.channels_last = resolve_channels_last(args, cfg.model)
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    cfg.work_dir = work_dir
    cfg.train_cfg.max_iters = args.warmup + args.iters
    cfg.train_cfg.val_interval = 10**9
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint.save_best = None
    cfg.param_scheduler = cfg.get('param_scheduler', [])
    if args.amp:
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        cfg.optim_wrapper.type = {
            'OptimWrapper': 'AmpOptimWrapper',
            'PerTensorClipOptimWrapper': 'PerTensorClipAmpOptimWrapper'
        }.get(wrapper, wrapper)
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.compile:
        cfg.compile = True
    cfg.log_level = 'WARNING'
    return cfg


class PlainStep:
    """The same training step written as a plain PyTorch loop body.

    Next batch of its own dataloader, data preprocessor, loss forward,
    ``zero_grad``, backward, per-tensor clipping at ``max_norm`` (as
    ``PerTensorClipOptimWrapper``), optimizer step; under ``autocast`` and a
    ``GradScaler`` with ``amp``.
    """

    def __init__(self, model, optimizer, loader, device: str, amp: bool,
                 max_norm: Optional[float], compile_model: bool) -> None:
        self.model = model
        self.forward = torch.compile(model) if compile_model else model
        self.optimizer = optimizer
        self.data_iter = iter(loader)
        self.device = device
        self.amp = amp
        self.max_norm = max_norm
        self.scaler = torch.amp.GradScaler('cuda', enabled=amp)
        self.params = [
            p for g in optimizer.param_groups for p in g['params']
            if p.requires_grad
        ]

    def __call__(self) -> float:
        """One iteration; returns its time in seconds."""
        sync(self.device)
        start = time.perf_counter()
        data = next(self.data_iter)
        with autocast(self.device, self.amp):
            data = self.model.data_preprocessor(data, True)
            losses = self.forward(**data, mode='loss')
        loss = sum(v for k, v in losses.items() if k.startswith('loss'))
        self.optimizer.zero_grad()
        self.scaler.scale(loss).backward()
        if self.max_norm is not None:
            self.scaler.unscale_(self.optimizer)
            for p in self.params:
                if p.grad is not None:
                    torch.nn.utils.clip_grad_norm_([p], self.max_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        sync(self.device)
        return time.perf_counter() - start


def make_interleaved_timer():
    from mmengine.hooks import Hook

    class InterleavedTimer(Hook):
        """Times the runner's iterations and, between them, plain ones.

        At ``after_train_iter``, before any other hook (highest priority),
        it closes the runner iteration's interval, runs one
        :class:`PlainStep` (timed on its own) and opens the next interval.
        A runner interval thus spans one whole iteration of the loop: the
        other hooks of the previous iteration, the data fetch, the
        ``before_train_iter`` hooks and ``train_step``. Alternating the two
        makes a changing machine load hit both alike.
        """

        priority = 'HIGHEST'

        def __init__(self, device: str, warmup: int,
                     make_plain: Callable) -> None:
            self.device = device
            self.warmup = warmup
            self.make_plain = make_plain
            self.plain: Optional[PlainStep] = None
            self.last: Optional[float] = None
            self.runner_times: List[float] = []
            self.plain_times: List[float] = []

        def before_train(self, runner) -> None:
            # the runner's model and optimizer exist from here on
            self.plain = self.make_plain(runner)

        def after_train_iter(self,
                             runner,
                             batch_idx,
                             data_batch=None,
                             outputs=None) -> None:
            sync(self.device)
            now = time.perf_counter()
            if self.last is not None and batch_idx >= self.warmup:
                self.runner_times.append(now - self.last)
            plain_time = self.plain()
            if batch_idx >= self.warmup:
                self.plain_times.append(plain_time)
            self.last = time.perf_counter()

    return InterleavedTimer


def run_overhead(args, rows: Rows) -> None:
    from mmengine.runner import Runner
    with tempfile.TemporaryDirectory() as work_dir:
        cfg = overhead_cfg(args, work_dir)
        runner = Runner.from_cfg(cfg)
        # the plain loop: the runner's model and optimizer (built by the
        # runner in train()), a second dataloader of the same config
        loader = Runner.build_dataloader(
            copy.deepcopy(cfg.train_dataloader), seed=runner.seed)
        clip = cfg.optim_wrapper.get('clip_grad') or {}

        def make_plain(runner) -> PlainStep:
            return PlainStep(runner.model, runner.optim_wrapper.optimizer,
                             loader, args.device, args.amp,
                             clip.get('max_norm'), args.compile)

        timer = make_interleaved_timer()(args.device, args.warmup, make_plain)
        runner.register_hook(timer)
        runner.train()
        runner_times, plain_times = timer.runner_times, timer.plain_times
    batch = cfg.train_dataloader.batch_size
    size = _image_size(cfg)
    what = (f'{osp.basename(args.config)}'
            f'{" (release widths)" if args.release_widths else ""}, '
            f'batch {batch}, {size}x{size}')
    r, p = median_ms(runner_times), median_ms(plain_times)
    rows.add(
        'overhead', f'runner iteration, {what}', f'{r:.1f} ms',
        f'median of {len(runner_times)}; mean '
        f'{1000 * statistics.mean(runner_times):.1f} ms')
    rows.add(
        'overhead', 'plain PyTorch iteration, same model/data', f'{p:.1f} ms',
        f'median of {len(plain_times)}; mean '
        f'{1000 * statistics.mean(plain_times):.1f} ms; alternated '
        'with the runner\'s')
    # each runner iteration and the plain one right after it
    ratios = [a / b for a, b in zip(runner_times, plain_times)]
    rows.add(
        'overhead', 'runner / plain - 1', f'{100 * (r / p - 1):+.1f} %',
        'ratio of medians; median of the per-pair ratios '
        f'{100 * (statistics.median(ratios) - 1):+.1f} %, ratio of '
        'the means '
        f'{100 * (sum(runner_times) / sum(plain_times) - 1):+.1f} % '
        '(goal < 5 %)')


def _image_size(cfg: Config) -> int:
    try:
        return int(cfg.train_dataloader.dataset.dataset.image_size)
    except (AttributeError, KeyError, TypeError):
        return -1


# ----------------------------------------- b. pair production/consumption
def _mask_args(size: int) -> dict:
    """The release's border mask (10 + 20 px at 128), scaled."""
    return dict(
        mask_margin=max(round(10 * size / 128), 1),
        mask_ramp=max(round(20 * size / 128), 1))


def pair_loader(batch: int,
                workers: int,
                num_faces: int,
                size: int = 128,
                warp: bool = True):
    """128x128 faces (drawn once per worker, cached) -> TPSPairWarp (if
    ``warp``) -> PackPairInputs, stacked in the workers."""
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from mmpose.registry import DATASETS
    dataset = DATASETS.build(
        dict(
            type='SyntheticFaceDataset',
            num_clips=num_faces,
            image_size=size,
            seed=0,
            cache_images=True,
            pipeline=[dict(type='LoadImage')] +
            ([dict(type='TPSPairWarp', **_mask_args(size))] if warp else []) +
            [dict(type='PackPairInputs')]))
    return DataLoader(
        dataset,
        batch_size=batch,
        shuffle=False,
        num_workers=workers,
        persistent_workers=workers > 0,
        collate_fn=default_collate,
        drop_last=True)


def time_production(batch: int,
                    workers: int,
                    batches: int,
                    size: int = 128,
                    warp: bool = True) -> float:
    """Pairs (or, without ``warp``, images) per second delivered by the
    dataloader (after every worker drew its faces once)."""
    loader = pair_loader(batch, workers, num_faces=batch, size=size, warp=warp)
    data_iter = _forever(loader)
    for _ in range(max(workers, 1) + 1):  # each worker's first batch
        next(data_iter)
    start = time.perf_counter()
    for _ in range(batches):
        next(data_iter)
    return batch * batches / (time.perf_counter() - start)


def _forever(loader):
    while True:
        yield from loader


def build_release(args, channels_last: bool, amp: bool):
    """The release's model and its optimizer wrapper on the device."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope

    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    runtime = Config.fromfile(
        osp.join(REPO, 'configs', '_base_', 'default_runtime.py'))
    model = MODELS.build(release_model(channels_last)).to(args.device)
    model.init_weights()
    optim_cfg = copy.deepcopy(runtime.optim_wrapper)
    if amp:
        optim_cfg.type = 'PerTensorClipAmpOptimWrapper'
        optim_cfg.loss_scale = 'dynamic'
    return model, build_optim_wrapper(model, optim_cfg)


def prefetch(batch: int, count: int, size: int = 128) -> list:
    loader = pair_loader(batch, 0, num_faces=batch, size=size)
    data_iter = _forever(loader)
    return [next(data_iter) for _ in range(count)]


def time_consumption(args, batches: list, channels_last: bool, amp: bool,
                     compile_model: bool) -> float:
    """Pairs per second of the release's training step (train_step on
    pre-made batches)."""
    model, wrapper = build_release(args, channels_last, amp)
    step: Callable = model.train_step
    if compile_model:
        step = torch.compile(step)
    iters = args.pair_iters or args.iters
    times = []
    for i in range(args.warmup + iters):
        sync(args.device)
        start = time.perf_counter()
        step(batches[i % len(batches)], wrapper)
        sync(args.device)
        times.append(time.perf_counter() - start)
    batch = len(batches[0]['data_samples'])
    return batch / statistics.median(times[args.warmup:])


def time_device_warp(args, batch: int) -> float:
    """Pairs per second of :class:`BatchTPSPairWarp` on the device."""
    from mmpose.registry import MODELS
    size = args.pair_size
    # exact at every pixel on CUDA; on the CPU interpolated from a 32x32
    # grid, as the TPSPairWarp transform does
    warp = MODELS.build(
        dict(
            type='BatchTPSPairWarp',
            max_grid_size=None if args.device == 'cuda' else 32,
            **_mask_args(size)))
    images = torch.rand(batch, 3, size, size, device=args.device) * 255
    times = []
    for _ in range(args.warmup + args.iters):
        sync(args.device)
        start = time.perf_counter()
        warp(images)
        sync(args.device)
        times.append(time.perf_counter() - start)
    return batch / statistics.median(times[args.warmup:])


def run_pairs(args, rows: Rows, batches: list, settings) -> None:
    batch, size = args.pair_batch, args.pair_size
    n = max(args.iters // 3, 3)
    prod = time_production(batch, args.workers, n, size)
    rows.add('pairs', f'TPSPairWarp production, {args.workers} workers',
             f'{prod:.0f} pairs/s',
             f'{size}x{size}, batch {batch}, CPU workers')
    load = time_production(batch, args.workers, n, size, warp=False)
    rows.add(
        'pairs', f'images without warps, {args.workers} workers',
        f'{load:.0f} images/s', 'what the workers deliver when the '
        'device warps (TPSPairDataPreprocessor)')
    dev = time_device_warp(args, batch)
    rows.add(
        'pairs', f'BatchTPSPairWarp on {args.device}', f'{dev:.0f} '
        'pairs/s', f'batch {batch}; ' +
        ('exact TPS at every pixel'
         if args.device == 'cuda' else 'TPS on a 32x32 grid, interpolated'))
    for name, cl, amp, comp in settings:
        cons = time_consumption(args, batches, cl, amp, comp)
        verdict = 'keeps up' if prod >= cons else 'IS the bottleneck'
        rows.add(
            'pairs', f'release model consumption ({name})',
            f'{cons:.1f} pairs/s',
            f'train_step, batch {batch}, {args.device}; warps in the '
            f'workers: data {verdict}')
        # warps on the device run in series with the step
        both = 1.0 / (1.0 / cons + 1.0 / dev)
        rows.add(
            'pairs', f'  with the warps on the device ({name})',
            f'{both:.1f} pairs/s',
            '1 / (1 / consumption + 1 / device warps); data '
            f'{"keeps up" if load >= both else "IS the bottleneck"}')


# ----------------------------------------------------------- c. memory
def _peak_rss() -> Optional[int]:
    """Peak resident memory of this process (bytes), or None."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:  # no /proc (not Linux): memory is not reported
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_step_memory(args, model, wrapper, batch: dict) -> int:
    """Peak memory (bytes) during one training step."""
    if args.device == 'cuda':
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        model.train_step(batch, wrapper)
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated()
    if not _reset_peak_rss():
        raise RuntimeError('cannot reset the peak RSS (/proc/self/'
                           'clear_refs): memory per pair needs Linux')
    model.train_step(batch, wrapper)
    return _peak_rss()


def run_memory(args, rows: Rows, batches: list, channels_last: bool) -> None:
    model, wrapper = build_release(args, channels_last, args.amp)
    big = batches[0]
    n = len(big['data_samples'])
    small_n = max(n // 5, 1)
    small = _slice(big, small_n)
    peak_small = peak_step_memory(args, model, wrapper, small)
    peak_small = peak_step_memory(args, model, wrapper, small)  # warm
    peak_big = peak_step_memory(args, model, wrapper, big)
    per_pair = (peak_big - peak_small) / (n - small_n)
    kind = ('torch.cuda.max_memory_allocated'
            if args.device == 'cuda' else 'peak RSS (VmHWM)')
    rows.add('memory', 'peak memory per pair, release model training',
             f'{per_pair / 2**20:.1f} MiB',
             f'slope between batch {small_n} and {n}; {kind}')
    rows.add(
        'memory', f'peak memory of one step, batch {n}',
        f'{peak_big / 2**20:.0f} MiB', 'includes weights, Adam state' +
        ('' if args.device == 'cuda' else ', the Python process'))


def _slice(batch: dict, n: int) -> dict:
    inputs = {k: v[:n] for k, v in batch['inputs'].items()}
    return dict(inputs=inputs, data_samples=batch['data_samples'][:n])


# -------------------------------------------------------- d. inference
def time_inference(args, batch: int, channels_last: bool, amp: bool,
                   compile_model: bool) -> float:
    """Images per second of Phi (encoder + soft-argmax), 128x128."""
    model, _ = build_release(args, channels_last, False)
    model.eval()
    detect = model.detect_keypoints
    if compile_model:
        detect = torch.compile(detect)
    size = args.pair_size
    images = torch.rand(batch, 3, size, size, device=args.device) * 255
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    times = []
    with torch.no_grad(), autocast(args.device, amp):
        for _ in range(args.warmup + args.iters):
            sync(args.device)
            start = time.perf_counter()
            detect(images)
            sync(args.device)
            times.append(time.perf_counter() - start)
    return batch / statistics.median(times[args.warmup:])


def run_inference(args, rows: Rows, settings) -> None:
    for name, cl, amp, comp in settings:
        speed = time_inference(args, args.pair_batch, cl, amp, comp)
        rows.add(
            'inference', f'keypoint encoder ({name})', f'{speed:.0f} images/s',
            f'batch {args.pair_batch}, {args.pair_size}x'
            f'{args.pair_size}, {args.device}')


# ----------------------------------------------------------------- main
# ------------------------------------------------------ e. compute floor
def config_step(args, autocast_dtype: Optional[str]):
    """CONFIG's model, optimizer wrapper and two batches of its training
    data (the overrides, ``--batch-size`` and ``--channels-last`` apply)."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.runner import Runner

    from mmpose.registry import MODELS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.model.channels_last = resolve_channels_last(args, cfg.model)
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    model = MODELS.build(cfg.model).to(args.device)
    model.init_weights()
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if autocast_dtype:
        optim_cfg.autocast_dtype = autocast_dtype
    wrapper = build_optim_wrapper(model, optim_cfg)
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=0, persistent_workers=False)
    data_iter = _forever(Runner.build_dataloader(loader_cfg, seed=0))
    return model, wrapper, [next(data_iter) for _ in range(2)]


def release_step(args, batches: list, autocast_dtype: Optional[str]):
    """The release's model and wrapper, with :func:`prefetch`'s batches."""
    model, wrapper = build_release(args, False, False)
    wrapper.autocast_dtype = autocast_dtype
    return model, wrapper, batches


def time_train_step(args, model, wrapper, batches: list,
                    iters: int) -> float:
    """Median seconds of ``model.train_step`` after ``--warmup`` steps."""
    times = []
    for i in range(args.warmup + iters):
        sync(args.device)
        start = time.perf_counter()
        model.train_step(batches[i % len(batches)], wrapper)
        sync(args.device)
        times.append(time.perf_counter() - start)
    return statistics.median(times[args.warmup:])


def run_floor(args, rows: Rows) -> None:
    from mmkp_unsup.engine.compute_floor import (count_flops, cpu_bf16_units,
                                                 cpu_model_name,
                                                 matmul_gflops)
    threads = torch.get_num_threads()
    where = (torch.cuda.get_device_name(0)
             if args.device == 'cuda' else cpu_model_name())
    sgemm = matmul_gflops(device=args.device)
    units = cpu_bf16_units() if args.device == 'cpu' else 'cuda'
    rows.add('floor', f'float32 matrix product 2048 ({threads} threads)',
             f'{sgemm:.0f} GFLOP/s', f'{where}; bfloat16 units: '
             f'{units or "none"}')
    dtypes = [None]
    if units:
        bf16 = matmul_gflops(dtype=torch.bfloat16, device=args.device)
        rows.add('floor', 'bfloat16 matrix product 2048', f'{bf16:.0f} '
                 'GFLOP/s', f'{bf16 / sgemm:.2f}x float32')
        dtypes.append('bfloat16')
    steps = [(osp.basename(args.config),
              lambda dt: config_step(args, dt), args.iters)]
    if args.pair_batch > 0:
        release_batches = prefetch(args.pair_batch, 2, args.pair_size)
        steps.append((f'release model, {args.pair_size}x{args.pair_size}',
                      lambda dt: release_step(args, release_batches, dt),
                      args.pair_iters or min(args.iters, 3)))
    for label, build, iters in steps:
        model, wrapper, batches = build(None)
        batch = len(batches[0]['data_samples'])
        flops = count_flops(lambda: model.train_step(batches[0], wrapper))
        floor = flops / (sgemm * 1e9)
        rows.add('floor', f'{label}, batch {batch}: FLOPs of a step',
                 f'{flops / 1e9:.2f} GFLOP', 'forward + backward; float32 '
                 f'floor {1000 * floor:.1f} ms')
        for dtype in dtypes:
            if dtype is not None:
                model, wrapper, batches = build(dtype)
            took = time_train_step(args, model, wrapper, batches, iters)
            rows.add('floor', f'{label}: step, {dtype or "float32"}',
                     f'{1000 * took:.1f} ms', f'{took / floor:.2f}x the '
                     f'float32 floor; median of {iters}')


def settings_of(args) -> List[tuple]:
    """(name, channels_last, amp, compile) rows to measure."""
    cl = args.channels_last == 'on'
    if not args.sweep:
        name = ', '.join([
            n for n, on in (('channels_last', cl), ('amp', args.amp),
                            ('compile', args.compile)) if on
        ]) or 'fp32'
        return [(name, cl, args.amp, args.compile)]
    rows = [('fp32', False, False, False),
            ('channels_last', True, False, False)]
    if args.device == 'cuda':
        rows.append(('amp', False, True, False))
        rows.append(('channels_last, amp', True, True, False))
    rows.append(('compile', False, False, True))
    return rows


def machine(device: str) -> str:
    if device == 'cuda':
        return torch.cuda.get_device_name(0)
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float('nan')
    return (f'CPU, {os.cpu_count()} cores, torch threads '
            f'{torch.get_num_threads()}, load average {load:.2f} at start')


def main(argv=None) -> Rows:
    args = parse_args(argv)
    if args.device == 'cpu':
        # the runner puts the model on a GPU whenever it sees one
        os.environ['CUDA_VISIBLE_DEVICES'] = ''
        if torch.cuda.is_available():
            raise RuntimeError(
                '--device cpu: CUDA was initialised before the benchmark '
                'started; run it with CUDA_VISIBLE_DEVICES= instead')
    elif not torch.cuda.is_available():
        raise RuntimeError('--device cuda: no CUDA device is available')
    if args.threads:
        torch.set_num_threads(args.threads)
    import mmkp_unsup  # noqa: F401  (registers the components)
    from mmengine.registry import init_default_scope
    init_default_scope('mmpose')
    from mmengine.logging import MMLogger
    MMLogger.get_instance('benchmark', log_level='WARNING')
    print(
        f'benchmark on {machine(args.device)}; torch {torch.__version__}',
        flush=True)
    rows = Rows()
    start = time.perf_counter()
    if 'overhead' in args.parts:
        run_overhead(args, rows)
    settings = settings_of(args)
    if {'pairs', 'memory'} & set(args.parts):
        # the data preprocessor moves them to the device in train_step
        batches = prefetch(args.pair_batch, 2, args.pair_size)
        if 'memory' in args.parts:
            run_memory(args, rows, batches, settings[0][1])
        if 'pairs' in args.parts:
            run_pairs(args, rows, batches, settings)
    if 'inference' in args.parts:
        run_inference(args, rows, settings)
    if 'floor' in args.parts:
        run_floor(args, rows)
    print(f'\n{machine(args.device)}; total {time.perf_counter() - start:.0f}'
          ' s\n')
    print(rows.markdown())
    return rows


if __name__ == '__main__':
    main()
