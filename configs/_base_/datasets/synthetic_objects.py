# The held-out built-in family: articulated creatures over real photographs
# (docs/synthetic_data.md). Used to check the small-image defaults, never to
# choose them. Same splits and sizes as the faces; the NME is normalised by
# the head-to-tail distance (landmarks 0 and 1).
dataset_type = 'SyntheticObjectDataset'
image_size = 32
batch_size = 32

# unsupervised training: 2000 creatures, clips of 8 frames in which each
# moves and bends over a fixed crop of a photograph
train_objects = dict(
    type=dataset_type,
    num_clips=2000,
    frames_per_clip=8,
    image_size=image_size,
    seed=0,
    cache_images=True,
    pipeline=[dict(type='LoadImage')])

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FramePairDataset',
        dataset=train_objects,
        # frames at least 3 apart: neighbouring frames of a clip are nearly
        # the same picture (see configs/synthetic_k10.py)
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=3),
        pipeline=[dict(type='PackPairInputs')]))

# landmark regression: fitted on 2000 new creatures, reported on 1000 others
test_pipeline = [dict(type='LoadImage'), dict(type='PackPairInputs')]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) resized to the
# network input, each axis on its own, as for the synthetic faces
inference_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='BoxToInput', input_size=(image_size, image_size)),
    dict(type='PackPoseInputs')
]
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

# head tip and tail tip: the creature's length
val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=(0, 1))
test_evaluator = val_evaluator
