"""Checkpoints that load with ``torch.load(weights_only=True)``.

torch >= 2.6 loads checkpoints with ``weights_only=True``; mmengine 0.10.7
saves objects that such a load refuses: the message hub's
``HistoryBuffer``s, numpy scalars (``eta``) and numpy arrays (mmpose's
dataset meta). :class:`WeightsOnlyCheckpointHook` encodes them as plain
containers of tensors and numbers before saving and decodes them after
loading, so resuming and testing keep the safe loader.
"""
from collections import OrderedDict
from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from mmpose.registry import HOOKS

TAG = '__mmkp_plain__'


def encode_plain(obj: Any) -> Any:
    """Recursively replace non-plain objects by tagged plain dicts.

    Handles ``HistoryBuffer``, numpy arrays and numpy scalars; containers
    (dict, OrderedDict, list, tuple) are rebuilt with encoded items;
    everything else is returned as is.
    """
    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {
            TAG: 'HistoryBuffer',
            'log_history': encode_plain(np.asarray(log)),
            'count_history': encode_plain(np.asarray(count)),
            'max_length': int(obj.max_length),
        }
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in 'biuf':
            return {TAG: 'ndarray', 'data': torch.from_numpy(obj.copy())}
        return {TAG: 'ndarray_list', 'data': encode_plain(obj.tolist()),
                'dtype': obj.dtype.str}
    if isinstance(obj, np.generic):
        return {TAG: 'numpy_scalar', 'value': obj.item(),
                'dtype': obj.dtype.str}
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, encode_plain(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: encode_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(encode_plain(v) for v in obj)
    return obj


def decode_plain(obj: Any) -> Any:
    """Inverse of :func:`encode_plain`."""
    if isinstance(obj, dict) and TAG in obj:
        kind = obj[TAG]
        if kind == 'HistoryBuffer':
            return HistoryBuffer(
                decode_plain(obj['log_history']),
                decode_plain(obj['count_history']), obj['max_length'])
        if kind == 'ndarray':
            return obj['data'].numpy()
        if kind == 'ndarray_list':
            return np.array(decode_plain(obj['data']), dtype=obj['dtype'])
        if kind == 'numpy_scalar':
            return np.dtype(obj['dtype']).type(obj['value'])
        raise ValueError(f'unknown encoded object kind {kind!r}')
    if isinstance(obj, OrderedDict):
        return OrderedDict((k, decode_plain(v)) for k, v in obj.items())
    if isinstance(obj, dict):
        return {k: decode_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)) and type(obj) in (list, tuple):
        return type(obj)(decode_plain(v) for v in obj)
    return obj


@HOOKS.register_module()
class WeightsOnlyCheckpointHook(Hook):
    """Keeps checkpoints loadable by ``torch.load(weights_only=True)``.

    ``before_save_checkpoint`` encodes every entry but the weights and
    optimizer state (already plain) with :func:`encode_plain`;
    ``after_load_checkpoint`` decodes them before the runner reads them.
    Add it to ``custom_hooks``; the lowest priority makes it run after any
    hook that adds to the checkpoint.
    """

    priority = 'LOWEST'
    SKIP = ('state_dict', 'optimizer')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key not in self.SKIP:
                checkpoint[key] = encode_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key not in self.SKIP:
                checkpoint[key] = decode_plain(checkpoint[key])
