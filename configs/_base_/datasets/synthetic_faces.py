# The built-in dataset: cartoon faces drawn on the fly, no files needed.
dataset_type = 'SyntheticFaceDataset'
image_size = 32
batch_size = 32

# unsupervised training: 2000 faces, each in 8 poses; pairs are two poses of
# one face (frames of a "clip")
train_faces = dict(
    type=dataset_type,
    num_clips=2000,
    frames_per_clip=8,
    image_size=image_size,
    seed=0,
    cache_images=True,  # 16000 images of 3 KB: drawn once per worker
    pipeline=[dict(type='LoadImage')])

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    # all images have one size: stack them in the worker (two tensors per
    # batch cross the process boundary instead of one per image)
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FramePairDataset',
        dataset=train_faces,
        # frames at least 3 apart (the faces' frames are independent poses,
        # so this changes nothing here; on clips of real motion neighbouring
        # frames are nearly the same picture: see configs/synthetic_k10.py)
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=3),
        pipeline=[dict(type='PackPairInputs')]))

# landmark regression: fitted on 2000 new faces, reported on 1000 others
test_pipeline = [dict(type='LoadImage'), dict(type='PackPairInputs')]
val_dataloader = dict(
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=dict(
            type=dataset_type,
            num_clips=2000,
            image_size=image_size,
            seed=1,
            test_mode=True,
            pipeline=test_pipeline),
        eval_dataset=dict(
            type=dataset_type,
            num_clips=1000,
            image_size=image_size,
            seed=2,
            test_mode=True,
            pipeline=test_pipeline)))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=(0, 1))
test_evaluator = val_evaluator
