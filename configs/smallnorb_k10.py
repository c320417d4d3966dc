# K = 10 landmarks on smallNORB, pairs = two views of one toy: a qualitative
# experiment (invariance of the keypoints to pose, lighting and shape, seen
# in the training pictures). The release's networks, loss and optimisation
# at 128 x 128; no validation, no test.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/smallnorb.py',
]

model = dict(backbone=dict(num_keypoints=10))
# no validation metric to select checkpoints by
default_hooks = dict(checkpoint=dict(save_best=None))
# pictures only: no validation or test loops (the dataset base sets their
# dataloaders and evaluators to None)
val_cfg = None
test_cfg = None
