# The default for small images (32x32) learned on a CPU in minutes: the
# release's method and networks scaled down, a pixel loss and a short
# schedule. configs/synthetic_k10.py (the demo, built-in faces) and
# configs/synthetic_objects_k10.py (the held-out family) add only the data;
# docs/synthetic_data.md, "What the defaults rest on", says why each
# setting is what it is.
_base_ = [
    './default_runtime.py',
    './models/conditional_generation.py',
]

max_iters = 7500
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# a short schedule: the release's staircase decay would not act within it;
# the learning rate drops x0.3 at 2/3 and 13/15 of the iterations instead
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[max_iters * 2 // 3, max_iters * 13 // 15],
        gamma=0.3)
]
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=1000),
    visualization=dict(interval=1000))

# The release's networks, scaled to 32x32 images: one down-sampling stage
# instead of three keeps the heatmaps and Gaussian maps at 16x16, the
# release's resolution (and the release's Gaussian std is kept), so the
# generator draws each part near its keypoint; fewer filters for the CPU.
# PyTorch's padding and upsampling, not the release's TensorFlow layouts
# of configs/_base_/models/conditional_generation.py: the settings these
# defaults were tuned and measured with (docs/synthetic_data.md).
num_stages = 1
model = dict(
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),  # [-1, 1]
    backbone=dict(
        num_keypoints=10,
        n_filters=16,
        num_stages=num_stages,
        same_padding='symmetric'),
    appearance_encoder=dict(
        n_filters=16, num_stages=num_stages, same_padding='symmetric'),
    generator=dict(n_filters=8, upsample='pytorch'),
    # a pixel loss (no loss-network weights to download), squared: large
    # errors, where a part is drawn in the wrong place, weigh more than the
    # small ones of texture and background; the points learn faster than
    # with L1 (docs/synthetic_data.md, "What the defaults rest on")
    reconstruction_loss=dict(
        _delete_=True, type='PixelReconstructionLoss', criterion='l2'),
    channels_last=True)

auto_scale_lr = dict(base_batch_size=32)  # the batch size of the dataset
randomness = dict(seed=0)
