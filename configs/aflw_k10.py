# K = 10 on AFLW_R, fine-tuned from the CelebA model (celeba_k10.py) as the
# release does: same model, loss, batch and learning rate; the CelebA
# checkpoint's weights, BN statistics and loss running averages (load_from),
# and its Adam moments and learning-rate schedule (ContinueTrainingHook) go
# on in this run's work dir. Set load_from to your CelebA checkpoint:
#   tools/train.py configs/aflw_k10.py --cfg-options load_from=CKPT
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/aflw_r.py',
]

num_keypoints = 10
model = dict(backbone=dict(num_keypoints=num_keypoints))

load_from = 'work_dirs/celeba_k10/best_NME_iter_150000.pth'  # your checkpoint
resume = False  # resume=True would replay 150k batches before training
# iterations of the fine-tuning (the release's count is not published)
max_iters = 50000
train_cfg = dict(max_iters=max_iters)
# Adam state and schedule of load_from (see the hook's docstring)
custom_hooks = _base_.custom_hooks + [dict(type='ContinueTrainingHook')]
