# BBC Pose: videos 1-10 train, 11-15 validation, 16-20 test; frames cropped
# 300 x 300 around the signer and resized to 128; training pairs 3-40
# frames apart in one video. See docs/data_preparation_others.md.
dataset_type = 'BBCPoseDataset'
data_root = 'data/bbcpose/'
image_size = 128
crop_size = 300  # pixels of the original frames
batch_size = 50  # the release's batch (METHOD: Optimisation)
train_videos = list(range(1, 11))
val_videos = list(range(11, 16))
test_videos = list(range(16, 21))
pair_gap = (3, 40)  # frames between target and source
# the regressor is fitted on every 100th tracked frame of the training
# videos
fit_frame_step = 100

frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
test_pipeline = frame_pipeline + [
    dict(type='PackPairInputs', pack_transformed=True)
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box resized as the test crops are (give a box
# around the signer, as the crop_size crop frames them; without one the
# whole frame is the box)
inference_pipeline = frame_pipeline + [dict(type='PackPoseInputs')]

# unsupervised training: one fixed crop per video (box_mode='video'), so
# the two frames of a pair share the background and only the signer moves
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FramePairDataset',
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            videos=train_videos,
            annotation='train',
            crop_size=crop_size,
            box_mode='video',
            pipeline=frame_pipeline),
        pair_sampler=dict(
            type='ClipFramePairSampler',
            min_gap=pair_gap[0],
            max_gap=pair_gap[1]),
        pipeline=[dict(type='PackPairInputs')]))

# regression: crops centred on each frame's joints (the public evaluation
# crop); fitted on the tracked joints of the training videos, scored on
# the manual annotations of the validation (val) or test (test) videos
fit_split = dict(
    type=dataset_type,
    data_root=data_root,
    videos=train_videos,
    annotation='train',
    crop_size=crop_size,
    box_mode='frame',
    frame_step=fit_frame_step,
    test_mode=True,
    pipeline=test_pipeline)
_loader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'))
val_dataloader = dict(
    **_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=fit_split,
        eval_dataset=dict(fit_split, videos=val_videos, annotation='test',
                          frame_step=1)))
test_dataloader = dict(
    **_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=fit_split,
        eval_dataset=dict(fit_split, videos=test_videos, annotation='test',
                          frame_step=1)))
del _loader

# A linear regressor (no bias) from the K keypoints to the 7 joints, scored
# by the official protocol (docs/evaluation.md): joints at half scale,
# correct within 6 pixels, per joint and mean; the crop is mapped back to
# the frame with the samples' input_center and input_scale.
val_evaluator = dict(
    type='BBCPoseRegressionMetric', bias=False, threshold=6.0, scale=0.5)
test_evaluator = val_evaluator
