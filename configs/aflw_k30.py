# K = 30 on AFLW_R, fine-tuned from the CelebA model (celeba_k30.py) as the
# release does: same model, loss, batch and learning rate; the CelebA run's
# weights, BN statistics, loss running averages, Adam moments and
# learning-rate schedule go on in this run's work dir (ContinueTrainingHook).
# Train configs/celeba_k30.py first: this config continues from the
# checkpoint that its work dir's last_checkpoint names (the last iteration's,
# with the whole state), whichever iteration validated best. Another run:
#   tools/train.py configs/aflw_k30.py --cfg-options continue_from=WORK_DIR
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/aflw_r.py',
]

num_keypoints = 30
model = dict(backbone=dict(num_keypoints=num_keypoints))

# the CelebA run to continue: its work dir (or a checkpoint with optimiser
# and scheduler state; mmengine's best_*.pth hold the weights only)
continue_from = 'work_dirs/celeba_k30'
load_from = None  # the weights come with the rest of the state
resume = False  # resume=True with load_from would replay 150k batches
# iterations of the fine-tuning (the release's count is not published)
max_iters = 50000
train_cfg = dict(max_iters=max_iters)
# weights, Adam state and schedule of continue_from (the hook's docstring)
custom_hooks = _base_.custom_hooks + [dict(type='ContinueTrainingHook')]
