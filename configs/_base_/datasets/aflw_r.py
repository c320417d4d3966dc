# AFLW_R (Zhang et al. 2018's re-crop), as the release
# (docs/data_preparation_faces.md, "AFLW"): the whole image resized to
# 128x128, no crop; pairs by two TPS warps; last 10 % of train = validation.
# (Not named aflw.py: mmpose's AFLWDataset reads its metainfo from
# 'configs/_base_/datasets/aflw.py' relative to the working directory, and a
# file of that name here would shadow it.)
dataset_type = 'AFLWRDataset'
data_root = 'data/aflw/'
image_size = 128
batch_size = 50  # the release's
norm_indices = (0, 1)  # inter-ocular distance: the two eye centres

# landmarks scaled by the `hw` of the .mat files, as the release (an image of
# another size is an error naming it)
resize = dict(
    type='ResizeCrop',
    resize=(image_size, image_size),
    keypoint_mapping='release',
    keypoint_size_from='image_hw')
# the release's pairs (docs/method.md, "Source of a TPS pair", "Warp
# statistics"): the source resampled from the warped target, warps drawn from
# a cache of 1,000 per warp, each renewed with probability 0.01 when drawn
tps_pair_warp = dict(
    type='TPSPairWarp',
    source_from='target',
    warp_cache=dict(size=1000, renew_prob=0.01))
train_pipeline = [
    dict(type='LoadImage'),
    resize,
    tps_pair_warp,
    dict(type='PackPairInputs'),
]
test_pipeline = [dict(type='LoadImage'), resize, dict(type='PackPairInputs')]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) resized to the
# input, as above
inference_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='BoxToInput', input_size=(image_size, image_size)),
    dict(type='PackPoseInputs')
]


def _split(split, pipeline, test_mode=True):
    return dict(
        type=dataset_type,
        data_root=data_root,
        split=split,
        test_mode=test_mode,
        pipeline=pipeline)


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
# regression fitted on train (90 %); validation on the last 10 %, test on
# the 2,991 test images
val_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split('train', test_pipeline),
        eval_dataset=_split('val', test_pipeline)))
test_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split('train', test_pipeline),
        eval_dataset=_split('test', test_pipeline)))

val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=norm_indices)
test_evaluator = val_evaluator
