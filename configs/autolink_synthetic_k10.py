# AutoLink, K = 10, on the built-in synthetic faces (32x32) on a CPU: the
# data of configs/synthetic_k10.py, single images instead of pairs, and the
# paper's model scaled down (docs/autolink.md, "The CPU config").
_base_ = [
    './_base_/autolink_runtime.py',
    './_base_/models/autolink.py',
    './_base_/datasets/synthetic_faces.py',
]

num_keypoints = 10
model = dict(
    # 32 -> 8 (two residual blocks, the paper's 8 x 8 bottom), one
    # upsampling: 16 x 16 heatmaps, the resolution of the IMM CPU config
    backbone=dict(
        num_keypoints=num_keypoints, channels=(16, 32), up_channels=(16, )),
    # the paper's 1e-3 at 128 x 128 is an edge about 1.4 pixels wide; the
    # same width in pixels at 32 x 32 is 16 times as much in [-1, 1] units
    renderer=dict(thickness=1.6e-2),
    # the 16 x 16 grid scales with the image: 2 x 2 patches, kept at 0.2
    patch_mask=dict(grid_size=16),
    generator=dict(channels=(16, 32, 64)),  # 32 -> 8 at the bottom
    # a pixel loss (no loss-network weights to download), squared, as the
    # IMM CPU config (configs/_base_/small_image.py)
    reconstruction_loss=dict(
        _delete_=True, type='PixelReconstructionLoss', criterion='l2'))

batch_size = 32
max_iters = 9000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
# a higher rate than the paper's 1e-4 for the short CPU schedule
optim_wrapper = dict(optimizer=dict(lr=1e-3))
auto_scale_lr = dict(base_batch_size=batch_size)
default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(interval=1000),
    visualization=dict(interval=1000))
randomness = dict(seed=0)

# single faces: the 16,000 training images of configs/synthetic_k10.py
train_dataloader = dict(
    batch_size=batch_size,
    dataset=dict(
        _delete_=True,
        type='SyntheticFaceDataset',
        num_clips=2000,
        frames_per_clip=8,
        image_size=32,
        seed=0,
        cache_images=True,
        pipeline=[dict(type='LoadImage'),
                  dict(type='PackPairInputs')]))
