# Your own footage: frames in one folder per clip, read by ClipFolderDataset
# (docs/data_preparation_faces.md, "Your own footage"). Training pairs are two
# frames of one clip; the landmark regression is fitted on one annotated set
# of images and reported on another. Start from a template that re-derives
# every value below from its own data lines: configs/footage_template_k10.py
# (small frames, CPU) or configs/footage_template_k10_128x128.py (the
# release's input, GPU); a config inheriting this file directly and changing
# only a variable (image_size, data_root, ...) would leave the values
# derived from it here as they are.
dataset_type = 'ClipFolderDataset'
data_root = 'data/footage/'
train_ann_file = 'annotations/train.json'  # '' : frame folders, no file
fit_ann_file = 'annotations/fit.json'  # annotated: fits the regressor
eval_ann_file = 'annotations/eval.json'  # annotated: the reported error
image_size = 128  # the release's network input
batch_size = 50  # the release's
# pairs at least 3 frames apart: neighbouring frames of real motion are
# nearly the same picture (docs/synthetic_data.md, "What the defaults rest
# on")
min_frame_gap = 3  # pair frames this many...
max_frame_gap = None  # ...to this many frames apart (None: any)
norm_indices = (0, 1)  # the two landmarks normalising the error

# every frame: the whole image, padded to a square, resized to the input
frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
# landmarks in the input's frame (transformed_keypoints) for the regression
test_pipeline = frame_pipeline + [
    dict(type='PackPairInputs', pack_transformed=True)
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) as a frame
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
            ann_file=train_ann_file,
            with_unannotated=True,
            pipeline=frame_pipeline),
        pair_sampler=dict(
            type='ClipFramePairSampler',
            min_gap=min_frame_gap,
            max_gap=max_frame_gap),
        pipeline=[dict(type='PackPairInputs')]))

val_dataloader = dict(
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file=fit_ann_file,
            with_unannotated=False,
            test_mode=True,
            pipeline=test_pipeline),
        eval_dataset=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file=eval_ann_file,
            with_unannotated=False,
            test_mode=True,
            pipeline=test_pipeline)))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='LandmarkRegressionMetric', bias=False, norm_indices=norm_indices)
test_evaluator = val_evaluator
