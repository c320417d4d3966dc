import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate

from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample


def samples(n=3):
    g = torch.Generator().manual_seed(0)
    return [
        dict(inputs=dict(
            target=torch.randint(0, 255, (3, 8, 8), generator=g,
                                 dtype=torch.uint8),
            source=torch.randint(0, 255, (3, 8, 8), generator=g,
                                 dtype=torch.uint8)),
             data_samples=PoseDataSample()) for _ in range(n)
    ]


def test_pairs_are_normalised_and_rgb():
    pre = MODELS.build(dict(type='PairDataPreprocessor', mean=[10, 20, 30],
                            std=[2, 4, 8]))
    items = samples()
    out = pre(pseudo_collate(items))
    target = out['inputs']['target']
    assert target.shape == (3, 3, 8, 8) and target.dtype == torch.float32
    raw = items[1]['inputs']['target'].float()
    expected = (raw[[2, 1, 0]] - torch.tensor([10., 20, 30]).view(3, 1, 1)
                ) / torch.tensor([2., 4, 8]).view(3, 1, 1)
    torch.testing.assert_close(target[1], expected)
    torch.testing.assert_close(pre.to_pixels(target[1:2])[0], raw[[2, 1, 0]])
    torch.testing.assert_close(pre.from_pixels(pre.to_pixels(target)), target)
    assert out['data_samples'][0].batch_input_shape == (8, 8)


def test_stacked_and_listed_batches_agree():
    pre = MODELS.build(dict(type='PairDataPreprocessor', mean=[127.5] * 3,
                            std=[127.5] * 3))
    items = samples()
    a = pre(pseudo_collate(items))['inputs']
    b = pre(default_collate(items))['inputs']
    for view in ('target', 'source'):
        torch.testing.assert_close(a[view], b[view])


def test_single_images_and_errors():
    pre = MODELS.build(dict(type='PairDataPreprocessor'))
    out = pre(dict(inputs=[torch.zeros(3, 8, 8)],
                   data_samples=[PoseDataSample()]))
    assert out['inputs'].shape == (1, 3, 8, 8)
    with pytest.raises(ValueError, match='views'):
        pre(dict(inputs=dict(left=[torch.zeros(3, 8, 8)])))
    with pytest.raises(ValueError, match='batch_augments'):
        MODELS.build(dict(type='PairDataPreprocessor',
                          batch_augments=[dict(type='BatchSyncRandomResize',
                                               random_size_range=(8, 16))]))
