# K = 10 landmarks learned without labels from the built-in synthetic faces
# (32x32), on a CPU in minutes: the config `make demo` trains.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/synthetic_faces.py',
]

max_iters = 6000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# a short schedule: the release's staircase decay would not act within it;
# the learning rate drops x0.3 twice near the end instead
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[4000, 5200],
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
num_stages = 1
model = dict(
    data_preprocessor=dict(mean=[127.5] * 3, std=[127.5] * 3),  # [-1, 1]
    backbone=dict(num_keypoints=10, n_filters=16, num_stages=num_stages),
    appearance_encoder=dict(n_filters=16, num_stages=num_stages),
    generator=dict(n_filters=8),
    # a pixel loss: no loss-network weights to download
    reconstruction_loss=dict(
        _delete_=True, type='PixelReconstructionLoss', criterion='l1'),
    channels_last=True)

auto_scale_lr = dict(base_batch_size=32)  # the batch size of the dataset
randomness = dict(seed=0)
