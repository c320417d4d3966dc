# Any mmpose face dataset (or any COCO-style keypoint file with a metainfo)
# as the image source of TPS pairs and as the labelled source of the
# landmark regression (docs/data_preparation_faces.md, "Any mmpose dataset").
# Defaults: mmpose's WFLW layout (data/wflw/, its annotation files); change
# dataset_type, data_root, the file names and norm_indices for another one
# (configs/300w_k30.py shows how).
dataset_type = 'WFLWDataset'  # mmpose's class: its metainfo comes with it
data_root = 'data/wflw/'
train_ann_file = 'annotations/face_landmarks_wflw_train.json'
test_ann_file = 'annotations/face_landmarks_wflw_test.json'
data_prefix = dict(img='images/')
image_size = 128
batch_size = 50
norm_indices = (60, 72)  # WFLW's outer eye corners (98 landmarks)
val_fraction = 0.1  # validation: the last 10 % of the training file

# mmpose's own top-down crop: the annotated face box (x1.25) to the input
crop_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
# the release's pairs (docs/method.md, "Source of a TPS pair", "Warp
# statistics"): the source resampled from the warped target, warps drawn from
# a cache of 1,000 per warp, each renewed with probability 0.01 when drawn
tps_pair_warp = dict(
    type='TPSPairWarp',
    source_from='target',
    warp_cache=dict(size=1000, renew_prob=0.01))
train_pipeline = crop_pipeline + [
    tps_pair_warp,  # moves transformed_keypoints with the target
    dict(type='PackPairInputs'),
]
# the regression reads the landmarks in the input's frame
test_pipeline = crop_pipeline + [
    dict(type='PackPairInputs', pack_transformed=True)
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): mmpose's top-down crop of the face box given (x1.25;
# without a box the whole image is the box)
inference_pipeline = crop_pipeline + [dict(type='PackPoseInputs')]


def _file(ann_file, pipeline, test_mode=True):
    return dict(
        type=dataset_type,
        data_root=data_root,
        data_mode='topdown',
        ann_file=ann_file,
        data_prefix=data_prefix,
        test_mode=test_mode,
        pipeline=pipeline)


train_dataloader = dict(
    batch_size=batch_size,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=_file(train_ann_file, train_pipeline, test_mode=False))

_eval_loader = dict(
    batch_size=100,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'))
# validation (checkpoint selection): fit on the first 90 % of the training
# file, report on the last 10 %; test: fit on all of it, report on the test
val_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=dict(
            type='SubsetDataset',
            dataset=_file(train_ann_file, test_pipeline),
            start=0.0,
            end=1 - val_fraction),
        eval_dataset=dict(
            type='SubsetDataset',
            dataset=_file(train_ann_file, test_pipeline),
            start=1 - val_fraction,
            end=1.0)))
test_dataloader = dict(
    **_eval_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_file(train_ann_file, test_pipeline),
        eval_dataset=_file(test_ann_file, test_pipeline)))

val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=norm_indices)
test_evaluator = val_evaluator
