# K = 16 landmarks learned without labels on Human3.6M (simplified release,
# 6 activities, S1 + S5-S9), evaluated by linear regression to the 32
# joints on S11. The release's networks, loss and optimisation at 128 x 128.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/h36m_simplified.py',
]

model = dict(backbone=dict(num_keypoints=16))
# the best checkpoint by the protocol's error on the validation split
default_hooks = dict(checkpoint=dict(save_best='error', rule='less'))
