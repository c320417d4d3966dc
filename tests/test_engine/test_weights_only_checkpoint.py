from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from mmkp_unsup.engine import (WeightsOnlyCheckpointHook, decode_plain,
                               encode_plain)


def runner_like_checkpoint():
    buffer = HistoryBuffer()
    for v in (1.0, 2.5, 4.0):
        buffer.update(v)
    return dict(
        meta=dict(
            iter=7, eta=np.float64(12.5),
            dataset_meta=dict(
                dataset_name='faces', flip_indices=[1, 0],
                sigmas=np.array([0.1, 0.2], np.float32),
                names=np.array(['a', 'b']))),
        state_dict=OrderedDict(w=torch.ones(2)),
        message_hub=dict(
            log_scalars=OrderedDict(loss=buffer),
            runtime_info=OrderedDict(eta=np.float32(3.0), iter=7),
            resumed_keys=dict(loss=True)))


def test_plain_checkpoint_loads_with_weights_only(tmp_path):
    checkpoint = runner_like_checkpoint()
    path = tmp_path / 'raw.pth'
    torch.save(checkpoint, path)
    with pytest.raises(Exception):
        torch.load(path, weights_only=True)  # what mmengine alone gives

    hook = WeightsOnlyCheckpointHook()
    hook.before_save_checkpoint(None, checkpoint)
    torch.save(checkpoint, path)
    loaded = torch.load(path, weights_only=True)
    hook.after_load_checkpoint(None, loaded)

    buffer = loaded['message_hub']['log_scalars']['loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(2.5) and buffer.current() == 4.0
    assert buffer.max_length == HistoryBuffer().max_length
    assert isinstance(loaded['meta']['eta'], np.float64)
    assert loaded['message_hub']['runtime_info']['eta'].dtype == np.float32
    meta = loaded['meta']['dataset_meta']
    np.testing.assert_array_equal(meta['sigmas'],
                                  np.array([0.1, 0.2], np.float32))
    assert meta['sigmas'].dtype == np.float32
    assert meta['names'].tolist() == ['a', 'b']
    assert isinstance(loaded['message_hub']['log_scalars'], OrderedDict)
    torch.testing.assert_close(loaded['state_dict']['w'], torch.ones(2))


def test_encode_decode_round_trip_keeps_plain_values():
    value = dict(a=[1, (2.0, 'x')], b=None, c=torch.zeros(1))
    assert decode_plain(encode_plain(value))['a'] == [1, (2.0, 'x')]
    assert encode_plain(value)['c'] is value['c']
