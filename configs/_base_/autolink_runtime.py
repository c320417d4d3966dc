# AutoLink's optimisation (docs/autolink.md) on top of the package's runtime
# (hooks, untrained baseline, checkpoints); the batch of 64 is set by each
# config's train_dataloader.
_base_ = ['./default_runtime.py']

# AdamW 1e-4, weight decay 1e-3 on every parameter, constant rate, no
# clipping, batch 64, 20k iterations (the public code's train.py)
max_iters = 20000
val_interval = 2000
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
optim_wrapper = dict(
    _delete_=True,
    type='PerTensorClipOptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-3),
    skip_nonfinite=False,
    # a (neutral) paramwise_cfg leaves the frozen loss network out
    paramwise_cfg=dict(norm_decay_mult=1.0, bias_decay_mult=1.0))
param_scheduler = []
auto_scale_lr = dict(base_batch_size=64)
default_hooks = dict(checkpoint=dict(interval=val_interval))
