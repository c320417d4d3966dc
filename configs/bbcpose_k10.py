# K = 10 landmarks learned without labels on BBC Pose (videos 1-10, frame
# pairs), evaluated by linear regression to the 7 upper-body joints
# (validation videos 11-15, test videos 16-20). The release's networks, loss
# and optimisation at 128 x 128.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/bbcpose.py',
]

model = dict(backbone=dict(num_keypoints=10))
# the best checkpoint by the protocol's accuracy on the validation split
default_hooks = dict(checkpoint=dict(save_best='accuracy', rule='greater'))
