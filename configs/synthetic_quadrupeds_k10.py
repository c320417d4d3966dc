# The small-image defaults (configs/_base_/small_image.py) on the second
# held-out family: four-legged animals walking over real photographs (32x32,
# seven labelled landmarks, NME in % of the withers-to-hip length). Exactly
# configs/synthetic_objects_k10.py (the same schedule: batch 32, the
# release's learning rate of 1e-3, 8000 iterations) with this family's data.
_base_ = [
    './_base_/small_image.py',
    './_base_/datasets/synthetic_quadrupeds.py',
]

max_iters = 8000
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(
        type='MultiStepLR',
        by_epoch=False,
        milestones=[max_iters * 2 // 3, max_iters * 13 // 15],
        gamma=0.3)
]
