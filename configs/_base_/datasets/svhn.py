# SVHN format 2 (32 x 32 digits, train_32x32.mat), static-image pairs by
# two thin-plate-spline warps (as CelebA in the release), images resized to
# the release's 128 x 128. Qualitative only: no validation or test.
# See docs/data_preparation_others.md.
dataset_type = 'SVHNDataset'
data_root = 'data/svhn/'
image_size = 128
batch_size = 50

# the release's pairs (docs/method.md, "Source of a TPS pair", "Warp
# statistics"): the source resampled from the warped target, warps drawn from
# a cache of 1,000 per warp, each renewed with probability 0.01 when drawn
tps_pair_warp = dict(
    type='TPSPairWarp',
    source_from='target',
    warp_cache=dict(size=1000, renew_prob=0.01))
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
    tps_pair_warp,  # the release's warps and border mask
    dict(type='PackPairInputs'),
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) resized as the
# training images are, without the warps
inference_pipeline = train_pipeline[:3] + [dict(type='PackPoseInputs')]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train_32x32.mat',
        pipeline=train_pipeline))

# pictures only
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
