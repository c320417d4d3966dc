# An ordinary mmpose model fine-tuned from the keypoint encoder Phi learned
# without labels: TopdownPoseEstimator + HeatmapHead on AFLW (mmpose's
# 19-landmark AFLWDataset, COCO-style json), the encoder's weights loaded
# from an mmkp_unsup checkpoint. See docs/export_and_reuse.md.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['mmkp_unsup'], allow_failed_imports=False)

# ------------------------------------------------------- the learned encoder
# A checkpoint written by this package's training (tools/train.py), e.g. of
# a CelebA model; its backbone.* entries are the keypoint encoder. Set it
# with --cfg-options model.backbone.init_cfg.checkpoint=PATH.
pretrained = 'work_dirs/celeba_k30/iter_150000.pth'
# These must be those of the config that trained the checkpoint.
num_keypoints = 30
n_filters = 32
num_stages = 3
same_padding = 'tensorflow'  # the paper configs'; 'symmetric' for small_image
# The pixel convention of that config's data preprocessor: the release
# feeds [0, 255] pixels, no mean/std (configs/synthetic_k10.py: mean and
# std 127.5).
mean = None
std = None

input_size = (128, 128)  # the release's input
# the encoder's last block and its K heatmap logits, concatenated
encoder_channels = n_filters * 2**num_stages + num_keypoints
# one deconvolution: 16x16 features -> 32x32 heatmaps (stride 4, as
# mmpose's 256 -> 64)
codec = dict(
    type='MSRAHeatmap', input_size=input_size, heatmap_size=(32, 32),
    sigma=1)

# checkpoints that load with torch.load(weights_only=True), as this
# package's own (mmpose's runtime alone saves numpy objects in them)
custom_hooks = [dict(type='WeightsOnlyCheckpointHook')]

# ---------------------------------------------------------------- schedule
train_cfg = dict(max_epochs=60, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=2e-3))
param_scheduler = [
    dict(
        type='LinearLR', begin=0, end=500, start_factor=0.001,
        by_epoch=False),  # warm-up
    dict(
        type='MultiStepLR',
        begin=0,
        end=60,
        milestones=[40, 55],
        gamma=0.1,
        by_epoch=True)
]
auto_scale_lr = dict(base_batch_size=512)

# ------------------------------------------------------------------- model
model = dict(
    type='TopdownPoseEstimator',
    data_preprocessor=dict(
        type='PoseDataPreprocessor', mean=mean, std=std, bgr_to_rgb=True),
    backbone=dict(
        type='KeypointEncoder',
        num_keypoints=num_keypoints,
        n_filters=n_filters,
        num_stages=num_stages,
        same_padding=same_padding,
        # the last block's features, then (always last) the heatmap logits
        out_indices=(-1, ),
        # replaces the release's truncated-normal init: every weight and
        # BatchNorm statistic of the encoder comes from the checkpoint
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(type='FeatureMapProcessor', concat=True),
    head=dict(
        type='HeatmapHead',
        in_channels=encoder_channels,
        out_channels=19,
        deconv_out_channels=(256, ),
        deconv_kernel_sizes=(4, ),
        loss=dict(type='KeypointMSELoss', use_target_weight=True),
        decoder=codec),
    test_cfg=dict(flip_test=True, flip_mode='heatmap', shift_heatmap=True))

# -------------------------------------------------------------------- data
dataset_type = 'AFLWDataset'
data_mode = 'topdown'
data_root = 'data/aflw/'

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(
        type='RandomBBoxTransform',
        shift_prob=0,
        rotate_factor=60,
        scale_factor=(0.75, 1.25)),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline,
    ))
# mmpose's AFLW configs validate on the test annotations; no checkpoint is
# selected by it here (no save_best)
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/face_landmarks_aflw_test.json',
        data_prefix=dict(img='images/'),
        test_mode=True,
        pipeline=val_pipeline,
    ))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='NME', norm_mode='use_norm_item', norm_item='bbox_size')
test_evaluator = val_evaluator
