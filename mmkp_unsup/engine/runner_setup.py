"""What ``tools/train.py`` and ``tools/test.py`` set up before mmengine's
runner: multi-process runs on CPUs, and SyncBN where it cannot run (see
docs/training.md, "Multi-process runs" and "SyncBN")."""
import datetime
import os
import warnings
from typing import Any

import torch
import torch.distributed as torch_dist
from mmengine.config import Config, ConfigDict

CPU_BACKEND = 'gloo'


def cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Whether this is a multi-process run that must use CPUs (gloo).

    True with the ``pytorch`` launcher (torchrun) when CUDA is not
    available, or when the config asks for the ``gloo`` backend.
    """
    if launcher != 'pytorch':
        return False
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    return not torch.cuda.is_available() or backend == CPU_BACKEND


def init_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Start a gloo process group from torchrun's variables, if needed.

    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` before it
    creates the process group, which fails without an NVIDIA driver, even
    with ``backend='gloo'``. The runner skips ``init_dist`` when a process
    group already exists, so creating it here makes ``--launcher pytorch``
    work on CPUs. Also sets the runner's DDP wrapper to a CPU module
    (``device_ids=None``) and the config's backend to gloo.

    Args:
        cfg (Config): The merged config; modified in place.
        launcher (str): The ``--launcher`` argument.

    Returns:
        bool: Whether a CPU process group is in use.
    """
    if not cpu_distributed(cfg, launcher):
        return False
    for var in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        if var not in os.environ:
            raise RuntimeError(
                f'--launcher pytorch needs {var} in the environment (set by '
                'torchrun: use tools/dist_train.sh / tools/dist_test.sh)')
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    dist_cfg = env_cfg.setdefault('dist_cfg', ConfigDict())
    dist_cfg['backend'] = CPU_BACKEND
    if not torch_dist.is_initialized():
        timeout = dist_cfg.get('timeout')
        kwargs = {} if timeout is None else dict(
            timeout=datetime.timedelta(seconds=timeout))
        torch_dist.init_process_group(
            backend=CPU_BACKEND,
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)
    wrapper = cfg.get('model_wrapper_cfg') or ConfigDict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None  # a CPU module
    cfg.model_wrapper_cfg = wrapper
    return True


def _replace_sync_bn(node: Any) -> int:
    count = 0
    if isinstance(node, dict):
        if node.get('type') in ('SyncBN', 'MMSyncBN'):
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += _replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            count += _replace_sync_bn(value)
    return count


def sync_bn_to_bn_on_cpu(cfg: Config) -> int:
    """Replace SyncBN by BN when CUDA is not available.

    Both ways of asking for SyncBN: ``norm_cfg=dict(type='SyncBN', ...)``
    in ``cfg.model`` (replaced by ``'BN'``, other arguments kept), and
    mmengine's ``sync_bn='torch'`` (which converts every BN of the model
    when distributed; dropped).

    torch's ``SyncBatchNorm`` trains only on GPUs ("SyncBatchNorm expected
    input tensor to be on GPU"), so a multi-process CPU run keeps
    per-process batch statistics instead, with a warning. (A
    single-process run needs nothing: mmengine's runner reverts SyncBN to
    BN itself.)

    Args:
        cfg (Config): The merged config; modified in place.

    Returns:
        int: How many SyncBN settings were replaced.
    """
    if torch.cuda.is_available():
        return 0
    count = _replace_sync_bn(cfg.get('model', {}))
    if count:
        warnings.warn(
            f'SyncBN is GPU-only in torch: {count} SyncBN norm config(s) of '
            'the model replaced by BN (per-process batch statistics) for '
            'this CPU run')
    if cfg.get('sync_bn') is not None:
        warnings.warn(
            f'SyncBN is GPU-only in torch: sync_bn={cfg.sync_bn!r} ignored '
            'for this CPU run (per-process batch statistics)')
        cfg.sync_bn = None
        count += 1
    return count


def setup_launcher(cfg: Config, launcher: str) -> None:
    """Prepare a config for its launcher before the runner is built.

    With a distributed launcher on CPUs (torchrun without CUDA) this starts
    the gloo process group (:func:`init_cpu_distributed`) and replaces
    SyncBN by BN (:func:`sync_bn_to_bn_on_cpu`); with ``'none'`` or on GPUs
    mmengine's runner does the rest.

    Args:
        cfg (Config): The merged config; modified in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.
    """
    if launcher == 'none':
        return
    init_cpu_distributed(cfg, launcher)
    sync_bn_to_bn_on_cpu(cfg)


def shutdown_distributed() -> None:
    """Wait for every process, then close the process group.

    Leaving a gloo group to the interpreter's exit can abort a process
    ("terminate called without an active exception") after its work is
    done; closing it explicitly ends the run cleanly.
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()
