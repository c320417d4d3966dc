# K = 30 landmarks learned on CelebA, evaluated on MAFL (the paper's
# setting; release configs/experiments/celeba-30pts.yaml): batch 50, Adam
# 1e-3 x0.95 per 100k iterations, per-tensor clipping 1.0, 128x128,
# perceptual loss with the ImageNet VGG-16.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/celeba_mafl.py',
]

num_keypoints = 30
model = dict(backbone=dict(num_keypoints=num_keypoints))
