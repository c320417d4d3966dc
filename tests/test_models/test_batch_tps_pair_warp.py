"""Device-side TPS pairs against the TPSPairWarp transform."""
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

from mmpose.registry import DATASETS, MODELS, TRANSFORMS
from mmkp_unsup.datasets.transforms.tps import tps_basis, tps_map


def _faces(num, size=32, pipeline=()):
    dataset = DATASETS.build(
        dict(
            type='SyntheticFaceDataset',
            num_clips=num,
            image_size=size,
            seed=3,
            test_mode=True,
            pipeline=[
                dict(type='LoadImage'), *pipeline,
                dict(type='PackPairInputs')
            ]))
    return [dataset[i] for i in range(num)]


def test_grids_match_the_transform():
    warp = MODELS.build(dict(type='BatchTPSPairWarp'))
    cpu = TRANSFORMS.build(dict(type='TPSPairWarp'))
    np.random.seed(1)
    target, source = warp.sample_params(3)
    got_t, got_s = warp.sampling_grids(target, source, (32, 32))
    grid, basis = cpu._grid((32, 32))[:2]
    for i in range(3):
        pt = target[i].double().numpy()
        ps = source[i].double().numpy()
        np.testing.assert_allclose(got_t[i].numpy(), basis @ pt, atol=1e-5)
        expected = tps_map(basis @ ps, pt, cpu.controls)
        np.testing.assert_allclose(got_s[i].numpy(), expected, atol=1e-4)
    # the warps are not the identity: the test can fail
    assert (got_s[0] - torch.from_numpy(grid).float()).abs().max() > 0.05
    assert tps_basis(grid, cpu.controls).shape == (32 * 32, 103)


def test_coarse_grid_matches_the_transform_at_64():
    """With max_grid_size=32 the warps are interpolated between grid
    points as TPSPairWarp does for images over 32 pixels."""
    warp = MODELS.build(dict(type='BatchTPSPairWarp', max_grid_size=32))
    cpu = TRANSFORMS.build(dict(type='TPSPairWarp'))
    np.random.seed(2)
    target, source = warp.sample_params(2)
    got_t, got_s = warp.sampling_grids(target, source, (64, 64))
    coarse_basis = cpu._grid((64, 64))[1]
    for i in range(2):
        pt = target[i].double().numpy()
        expected_t = cpu._dense(coarse_basis @ pt, (64, 64))
        np.testing.assert_allclose(got_t[i].numpy(), expected_t, atol=1e-5)
        expected_s = cpu._dense(
            tps_map(coarse_basis @ source[i].double().numpy(), pt,
                    cpu.controls), (64, 64))
        np.testing.assert_allclose(got_s[i].numpy(), expected_s, atol=1e-4)
    with pytest.raises(ValueError, match='max_grid_size'):
        MODELS.build(dict(type='BatchTPSPairWarp', max_grid_size=1))


def test_images_match_the_transform():
    """Same random draws -> the same pairs, up to the interpolation of
    cv2.remap (fixed-point weights) against grid_sample."""
    faces = _faces(3)
    images = torch.stack([f['inputs'] for f in faces]).float()
    np.random.seed(5)
    target, source, mask = MODELS.build(
        dict(type='BatchTPSPairWarp', mask_margin=2, mask_ramp=4))(
            images)
    np.random.seed(5)
    cpu = TRANSFORMS.build(
        dict(type='TPSPairWarp', mask_margin=2, mask_ramp=4))
    for i in range(3):
        img = faces[i]['inputs'].permute(1, 2, 0).numpy()
        res = cpu(dict(img=img))
        exp_t = torch.from_numpy(res['img']).permute(2, 0, 1).float()
        exp_s = torch.from_numpy(res['source_img']).permute(2, 0, 1).float()
        assert (target[i] - exp_t).abs().mean() < 1.0
        assert (source[i] - exp_s).abs().mean() < 1.0
        np.testing.assert_allclose(
            mask[i].numpy(), res['loss_mask'], atol=0.02)
    # and not trivially: the source differs from the target
    assert (source - target).abs().mean() > 5.0


def test_preprocessor_makes_pairs_for_training():
    preprocessor = MODELS.build(
        dict(
            type='TPSPairDataPreprocessor',
            mean=[127.5] * 3,
            std=[127.5] * 3,
            pair_warp=dict(
                type='BatchTPSPairWarp', mask_margin=2, mask_ramp=4)))
    data = default_collate(_faces(4))
    out = preprocessor(data, training=True)
    assert set(out['inputs']) == {'target', 'source'}
    assert out['inputs']['target'].shape == (4, 3, 32, 32)
    # normalised like the plain preprocessor, black border = -1
    assert out['inputs']['source'].min() >= -1.0 - 1e-5
    assert all(ds.gt_fields.loss_mask.shape == (1, 32, 32)
               for ds in out['data_samples'])
    # outside training: no warps
    test = preprocessor(default_collate(_faces(2)), training=False)
    assert torch.is_tensor(test['inputs'])


@pytest.mark.timeout(120)
def test_trains_through_the_runner(tmp_path):
    """The synthetic config with the warps moved to the device."""
    import os.path as osp
    from mmengine.config import Config
    from mmengine.runner import Runner
    repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    cfg = Config.fromfile(osp.join(repo, 'configs', 'synthetic_k10.py'))
    cfg.work_dir = str(tmp_path)
    cfg.model.data_preprocessor = dict(
        type='TPSPairDataPreprocessor',
        mean=[127.5] * 3,
        std=[127.5] * 3,
        pair_warp=dict(type='BatchTPSPairWarp', mask_margin=2, mask_ramp=4))
    cfg.model.backbone.n_filters = 4
    cfg.model.appearance_encoder.n_filters = 4
    cfg.model.generator.n_filters = 2
    cfg.train_dataloader = dict(
        batch_size=4,
        num_workers=0,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        collate_fn=dict(type='default_collate'),
        dataset=dict(
            type='SyntheticFaceDataset',
            num_clips=8,
            image_size=32,
            pipeline=[dict(type='LoadImage'),
                      dict(type='PackPairInputs')]))
    cfg.train_cfg = dict(by_epoch=False, max_iters=2, val_interval=100)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_cfg = cfg.test_dataloader = cfg.test_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=100)
    cfg.default_hooks.visualization.interval = 100
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    loss = runner.message_hub.get_scalar('train/loss_reconstruction')
    assert np.isfinite(loss.current())
