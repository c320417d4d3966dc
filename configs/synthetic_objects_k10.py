# The small-image defaults (configs/_base_/small_image.py) on the held-out
# family: articulated creatures over real photographs (32x32, five labelled
# landmarks, NME in % of the head-to-tail length). The data, the length of
# training, the batch (32) and the learning rate (the release's 1e-3) differ
# from the demo (configs/synthetic_k10.py): about 9.5-10 minutes of train +
# test on 2 CPU cores.
_base_ = [
    './_base_/small_image.py',
    './_base_/datasets/synthetic_objects.py',
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
