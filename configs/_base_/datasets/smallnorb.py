# smallNORB (left camera), pairs = two views of one toy (another azimuth,
# elevation or lighting), images resized to the release's 128 x 128.
# Qualitative only: no validation or test. See
# docs/data_preparation_others.md.
dataset_type = 'SmallNORBDataset'
data_root = 'data/smallnorb/'
image_size = 128
batch_size = 50

frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) as a view
inference_pipeline = frame_pipeline + [dict(type='PackPoseInputs')]

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
            split='training',
            camera=0,
            pipeline=frame_pipeline),
        # clip = (category, instance): any other view of the same toy
        pair_sampler=dict(type='ClipFramePairSampler', min_gap=1,
                          max_gap=None),
        pipeline=[dict(type='PackPairInputs')]))

# pictures only
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
