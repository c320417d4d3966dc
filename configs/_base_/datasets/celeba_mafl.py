# CelebA (unsupervised training) and MAFL (landmark regression), as the
# release (docs/data_preparation_faces.md, "CelebA + MAFL"): each image
# resized to 160x160 and centre-cropped to 128x128; static-image pairs by two
# thin-plate-spline warps; no flips.
dataset_type = 'CelebAMAFLDataset'
data_root = 'data/celeba/'
# the first folder present is read: the release's own images (its celeba.zip,
# Img/img_align_celeba_hq, those of the paper's numbers), else CelebA's JPEGs
# (docs/data_preparation_faces.md, "CelebA + MAFL")
image_folder = ['Img/img_align_celeba_hq', 'Img/img_align_celeba']
image_size = 128
batch_size = 50  # the release's
norm_indices = (0, 1)  # inter-ocular distance: the two eye centres

resize_crop = dict(
    type='ResizeCrop',
    resize=(160, 160),  # round(128 / 0.8)
    crop=(16, 16, image_size, image_size),  # rows / columns [16:144]
    keypoint_mapping='release')
# the release's pairs (docs/method.md, "Source of a TPS pair", "Warp
# statistics"): the source resampled from the warped target, warps drawn from
# a cache of 1,000 per warp, each renewed with probability 0.01 when drawn
tps_pair_warp = dict(
    type='TPSPairWarp',
    source_from='target',
    warp_cache=dict(size=1000, renew_prob=0.01))
train_pipeline = [
    dict(type='LoadImage'),
    resize_crop,
    tps_pair_warp,  # the release's warps and loss mask
    dict(type='PackPairInputs'),
]
test_pipeline = [
    dict(type='LoadImage'),
    resize_crop,
    dict(type='PackPairInputs'),
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): an aligned face, its box the whole image (the
# default), resized as the crop above sees it: the central 128 / 160 of
# each axis to the input size
inference_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=image_size / 160),
    dict(type='BoxToInput', input_size=(image_size, image_size)),
    dict(type='PackPoseInputs')
]


def _split(split, pipeline, test_mode=True):
    return dict(
        type=dataset_type,
        data_root=data_root,
        image_folder=image_folder,
        split=split,
        test_mode=test_mode,
        pipeline=pipeline)


# unsupervised training: CelebA training partition minus the MAFL test and
# validation images, drawn at random
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=_split('train', train_pipeline, test_mode=False))

_eval_loader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'))
# regression fitted on MAFL training minus its last 10 %; validation reports
# on that last 10 % (checkpoint selection), the test on the 1,000 MAFL tests
val_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split('mafl_train', test_pipeline),
        eval_dataset=_split('mafl_val', test_pipeline)))
test_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split('mafl_train', test_pipeline),
        eval_dataset=_split('mafl_test', test_pipeline)))

val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=norm_indices)
test_evaluator = val_evaluator
