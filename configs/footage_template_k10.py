# Template: K = 10 landmarks learned from your own footage.
# Copy this file, then edit the block "1. your data" (and "2." if wanted).
# Layout (docs/data_preparation_faces.md, "Your own footage"):
#   <data_root>/<split>/<clip>/<frame>.png   one folder per clip
#   <data_root>/annotations/<split>.json     COCO-style keypoints
# Training needs no annotation (train_ann_file = '' reads the frame folders
# under data_root + train_folder); the evaluation needs two annotated sets.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/clip_folders.py',
]

# ------------------------------------------------------ 1. your data
data_root = 'data/footage/'
train_ann_file = 'annotations/train.json'  # or '' (no annotation file)
train_folder = 'train/'  # frame folders, read when train_ann_file == ''
fit_ann_file = 'annotations/fit.json'  # fits the linear regressor
eval_ann_file = 'annotations/eval.json'  # the reported error
num_keypoints = 10  # K, the number of learned landmarks
norm_indices = (0, 1)  # annotated landmarks normalising the error (eyes)

# ------------------------------------------------------ 2. input and model
image_size = 128  # the release's input: 128x128, three down-samplings
batch_size = 50
num_stages = 3
n_filters = 32
n_filters_render = 32
num_workers = 4  # data-loading processes
# For a CPU and small frames (e.g. 32x32), replace the four lines above by
# the demo's settings (configs/synthetic_k10.py), and see "3.":
# image_size = 32
# batch_size = 32
# num_stages = 1
# n_filters = 16
# n_filters_render = 8
# num_workers = 1

# ------------------------------------------------------ (derived: no edits)
frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
test_pipeline = frame_pipeline + [
    dict(type='PackPairInputs', pack_transformed=True)
]
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    dataset=dict(
        dataset=dict(
            data_root=data_root,
            ann_file=train_ann_file,
            data_prefix=dict(img='' if train_ann_file else train_folder),
            pipeline=frame_pipeline)))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
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
# the evaluation sets are the reported ones: keep the last checkpoint rather
# than select one on them (docs/method.md, "Checkpoint selection"); add a
# third annotated set as val_dataloader to select checkpoints
default_hooks = dict(checkpoint=dict(save_best=None))
# PyTorch's padding, upsampling and loss-mask resizing (the template's
# settings; the paper configs use the release's TensorFlow layouts,
# docs/method.md, "Padding as the release", "Resizing as the release")
model = dict(
    backbone=dict(
        num_keypoints=num_keypoints,
        n_filters=n_filters,
        num_stages=num_stages,
        same_padding='symmetric'),
    appearance_encoder=dict(
        n_filters=n_filters, num_stages=num_stages,
        same_padding='symmetric'),
    generator=dict(n_filters=n_filters_render, upsample='pytorch'),
    reconstruction_loss=dict(mask_resize='pytorch'))
auto_scale_lr = dict(base_batch_size=batch_size)

# ------------------------------------------------------ 3. CPU / short runs
# The release's perceptual loss needs the ImageNet VGG-16 (downloaded by
# torchvision, or `vgg16_weights` in configs/_base_/models/
# conditional_generation.py); on a CPU the demo's pixel loss and inputs in
# [-1, 1] are faster. With a short schedule, drop the learning rate near the
# end as the demo does:
# model.update(
#     data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),
#     reconstruction_loss=dict(
#         _delete_=True, type='PixelReconstructionLoss', criterion='l1'))
# max_iters = 2000
# train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# param_scheduler = [
#     dict(type='MultiStepLR', by_epoch=False, gamma=0.3,
#          milestones=[max_iters * 2 // 3, max_iters * 13 // 15])
# ]
# default_hooks = dict(
#     checkpoint=dict(interval=max_iters // 2, save_best=None))
