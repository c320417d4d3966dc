# The synthetic faces written to disk as footage (tools/misc/
# export_synthetic_clips.py data/synthetic_clips): the footage template
# (configs/footage_template_k10.py) copied with its block 1 filled in for
# that export, as a user fills it in for their own clips (tests/test_tools/
# test_footage_templates.py checks that nothing else differs).
#
# Layout (docs/data_preparation_faces.md, "Your own footage"):
#   <data_root>/<split>/<clip>/<frame>.png   one folder per clip
#   <data_root>/annotations/<split>.json     COCO-style keypoints
_base_ = [
    './_base_/small_image.py',
    './_base_/datasets/clip_folders.py',
]

# ------------------------------------------------------ 1. your data
data_root = 'data/synthetic_clips/'
train_ann_file = 'annotations/train.json'  # or '' (no annotation file)
train_folder = 'train/'  # frame folders, read when train_ann_file == ''
fit_ann_file = 'annotations/fit.json'  # fits the linear regressor
eval_ann_file = 'annotations/eval.json'  # the reported error
num_keypoints = 10  # K, the number of learned landmarks
norm_indices = (0, 1)  # the eyes
image_size = 32  # network input: 32 or 64 (16 x a power of two)
min_frame_gap = 3  # pair frames at least this many apart...
max_frame_gap = None  # ...and at most this many (None: any two)
# True: the release's two TPS warps on top of every frame pair (its static-
# image pairs, TPSFramePairWarp): a short clip gives few distinct pairs, the
# warps make each a new one (docs/data_preparation_faces.md, "A short real
# video"); the warped borders are masked out of the loss
tps_on_pairs = False

# ------------------------------------------------------ 2. the machine
batch_size = 32  # the small-image default
num_workers = 1  # data-loading processes

# ------------------------------------------------------ (derived: no edits)
if image_size < 32 or (image_size // 16) & (image_size // 16 - 1) \
        or image_size % 16:
    raise ValueError(f'image_size must be 16 times a power of two, at least '
                     f'32 (32, 64, 128), got {image_size}')
# down-samplings that keep the heatmaps at 16x16, the release's resolution
# (32: one, 64: two, 128: three)
num_stages = (image_size // 16).bit_length() - 1
# every frame: the whole image, padded to a square, resized to the input
frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
test_pipeline = frame_pipeline + [
    dict(type='PackPairInputs', pack_transformed=True)
]
# the release's warps on the pairs: border mask scaled from its 10 / 20
# pixels at 128x128
pair_pipeline = [
    dict(
        type='TPSFramePairWarp',
        mask_margin=max(1, image_size * 10 // 128),
        mask_ramp=max(1, image_size * 20 // 128))
] if tps_on_pairs else []
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) as a frame
inference_pipeline = frame_pipeline + [dict(type='PackPoseInputs')]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=num_workers > 0,
    dataset=dict(
        dataset=dict(
            data_root=data_root,
            ann_file=train_ann_file,
            data_prefix=dict(img='' if train_ann_file else train_folder),
            pipeline=frame_pipeline),
        pair_sampler=dict(min_gap=min_frame_gap, max_gap=max_frame_gap),
        pipeline=pair_pipeline + [dict(type='PackPairInputs')]))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=num_workers > 0,
    dataset=dict(
        fit_dataset=dict(
            data_root=data_root,
            ann_file=fit_ann_file,
            pipeline=test_pipeline),
        eval_dataset=dict(
            data_root=data_root,
            ann_file=eval_ann_file,
            pipeline=test_pipeline)))
test_dataloader = val_dataloader
val_evaluator = dict(norm_indices=norm_indices)
test_evaluator = val_evaluator
model = dict(
    backbone=dict(num_keypoints=num_keypoints, num_stages=num_stages),
    appearance_encoder=dict(num_stages=num_stages))
auto_scale_lr = dict(base_batch_size=batch_size)
# the evaluation sets are the reported ones: keep the last checkpoint rather
# than select one on them (docs/method.md, "Checkpoint selection"); add a
# third annotated set as val_dataloader to select checkpoints
default_hooks = dict(checkpoint=dict(save_best=None))
