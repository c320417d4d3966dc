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
    # loaded in the training process: a face is drawn in 0.6 ms and then
    # cached, and on 2 cores a worker process costs more than it saves (it
    # competes with the training threads, and unpickling each batch's 64
    # data samples costs the training process about 5 ms): 52 against
    # 58 ms per iteration (docs/benchmark.md, "Where the demo's time goes")
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    # all images have one size: stack them into two tensors per batch
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FramePairDataset',
        dataset=train_faces,
        # frames at least 3 apart (the faces' frames are independent poses,
        # so this changes nothing here; on clips of real motion neighbouring
        # frames are nearly the same picture: see configs/synthetic_k10.py)
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=3),
        pipeline=[dict(type='PackPairInputs')]))

# Landmark regression (docs/method.md, "Checkpoint selection"): the
# regressor is fitted on 2000 new faces and its error is measured
# - for validation (val_dataloader: the best checkpoint is picked on it) on
#   1000 held-out validation faces, never on the test faces;
# - for the reported numbers (test_dataloader) on 1000 other test faces.
# Each image also gets a warped copy (a seeded random TPS warp) for the
# label-free equivariance metric (docs/evaluation.md).
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='EquivarianceWarp'),
    dict(type='PackPairInputs')
]
regression_fit_faces = dict(
    type=dataset_type,
    num_clips=2000,
    image_size=image_size,
    seed=1,
    test_mode=True,
    pipeline=test_pipeline)
validation_faces = dict(
    type=dataset_type,
    num_clips=1000,
    image_size=image_size,
    seed=3,  # not the train (0), regression-fit (1) or test (2) faces
    test_mode=True,
    pipeline=test_pipeline)
test_faces = dict(
    type=dataset_type,
    num_clips=1000,
    image_size=image_size,
    seed=2,
    test_mode=True,
    pipeline=test_pipeline)

val_dataloader = dict(
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=regression_fit_faces,
        eval_dataset=validation_faces))
test_dataloader = dict(
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=regression_fit_faces,
        eval_dataset=test_faces))

# inference on any image (mmkp_unsup.apis, mmpose's inference_topdown,
# demo/landmark_demo.py): the box (by default the whole image) is resized to
# the network input, each axis on its own as the release resizes whole
# images; the estimator maps its predictions back to the image
# (test_cfg.output_space='image', set by mmkp_unsup.apis.init_model)
inference_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='BoxToInput', input_size=(image_size, image_size)),
    dict(type='PackPoseInputs')
]

val_evaluator = [
    dict(type='LandmarkRegressionMetric', bias=False, norm_indices=(0, 1)),
    dict(type='EquivarianceMetric'),
]
test_evaluator = val_evaluator
