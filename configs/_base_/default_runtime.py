# Runtime of the method (docs/method.md, "Optimisation", "Non-finite losses",
# "Checkpoint selection"), on top of mmpose's.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['mmkp_unsup'], allow_failed_imports=False)

# ---------------------------------------------------------------- schedule
max_iters = 150000  # the authors report 100k-150k iterations
val_interval = 10000
base_lr = 1e-3  # Adam, default betas
weight_decay = 1e-5  # L2 on convolution weights only
grad_clip_norm = 1.0  # per tensor, not global
lr_decay_steps = 100000  # staircase decay...
lr_decay = 0.95  # ...by this factor
# a NaN/inf loss stops training with the iteration and the loss term named;
# True skips such steps instead (docs/method.md, "Non-finite losses")
skip_nonfinite = False

train_cfg = dict(
    _delete_=True, by_epoch=False, max_iters=max_iters,
    val_interval=val_interval)
val_cfg = dict()
test_cfg = dict()

optim_wrapper = dict(
    type='PerTensorClipOptimWrapper',
    optimizer=dict(type='Adam', lr=base_lr, weight_decay=weight_decay),
    clip_grad=dict(max_norm=grad_clip_norm),
    skip_nonfinite=skip_nonfinite,
    # weight decay on convolution weights only (not on biases or norms);
    # with a paramwise_cfg, mmengine also leaves frozen parameters (the
    # loss network) out of the optimizer
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))

# tools/train.py --auto-scale-lr scales base_lr by total batch / this
auto_scale_lr = dict(enable=False, base_batch_size=50)  # the release: 50

param_scheduler = [
    dict(
        type='StepLR',
        by_epoch=False,
        step_size=lr_decay_steps,
        gamma=lr_decay)
]

# ---------------------------------------------------------------- hooks
default_hooks = dict(
    # validation metrics logged at the iteration, not at the epoch (always
    # 0 in this iteration-based schedule)
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=val_interval,
        max_keep_ckpts=3,
        save_best='NME',
        rule='less'),
    visualization=dict(
        _delete_=True,
        type='LandmarkVisualizationHook',
        enable=True,
        interval=2000))

custom_hooks = [
    dict(type='SyncBuffersHook'),
    # checkpoints load with torch.load(weights_only=True)
    dict(type='WeightsOnlyCheckpointHook'),
    # <key>_untrained beside every regression metric: the same protocol on
    # a freshly initialised keypoint encoder (docs/evaluation.md)
    dict(type='UntrainedBaselineHook'),
    # a warning in the log when the points collapse (docs/training.md)
    dict(type='CollapseWarningHook'),
    # the measured time per iteration and the run's length, early
    dict(type='RunTimeEstimateHook'),
]

log_processor = dict(by_epoch=False)
