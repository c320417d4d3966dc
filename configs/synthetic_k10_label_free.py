# Label-free evaluation of a synthetic_k10 model on clips, as one would
# evaluate a model on one's own footage without annotations: equivariance
# under known warps and frame-to-frame stability against optical flow
# (docs/evaluation.md). Test only:
#   python tools/test.py configs/synthetic_k10_label_free.py CHECKPOINT
_base_ = ['./synthetic_k10.py']

label_free_clips = dict(
    type='SyntheticFaceDataset',
    num_clips=200,
    frames_per_clip=8,
    image_size={{_base_.image_size}},
    seed=3,
    # consecutive frames close in pose, as in a video (up to 8 degrees and
    # 5 % of the image per frame)
    motion=dict(type='steady', angle_step=8, shift_step=0.05),
    test_mode=True,
    pipeline=[
        dict(type='LoadImage'),
        dict(type='EquivarianceWarp'),
        dict(type='PackPairInputs')
    ])
test_dataloader = dict(
    _delete_=True,
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=label_free_clips)
test_evaluator = [
    dict(type='EquivarianceMetric'),
    dict(type='TemporalStabilityMetric', motion='flow'),
]
