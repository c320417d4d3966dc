# Human3.6M, simplified release of Zhang et al. 2018 (human_images.tar.gz),
# the protocol of the authors' later code: activities directions,
# discussion, greeting, posing, waiting, walking; unsupervised training on
# S1, S5, S6, S7, S8, S9; frame pairs 5-30 frames apart in one sequence;
# backgrounds removed with the masks. See docs/data_preparation_others.md.
dataset_type = 'SimplifiedHuman36MDataset'
data_root = 'data/human36m_simplified/'
image_size = 128  # the stored frames are 128 x 128
batch_size = 50  # the release's batch (METHOD: Optimisation)
train_subjects = ['S1', 'S5', 'S6', 'S7', 'S8', 'S9']
test_subjects = ['S11']
# validation: the regressor is fitted on S1, S5-S8 and scored on S9 (the
# test subject S11 is never used to select checkpoints); every 30th frame
val_fit_subjects = ['S1', 'S5', 'S6', 'S7', 'S8']
val_eval_subjects = ['S9']
val_frame_step = 30
pair_gap = (5, 30)  # frames between target and source
landmarks_order = 'yx'  # column order of keypoints_2d (see the reader)

# meta keys of PackPairInputs, plus what the Human3.6M protocol reads
meta_keys = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
             'ori_shape', 'img_shape', 'input_size', 'input_center',
             'input_scale', 'flip', 'flip_direction', 'flip_indices',
             'raw_ann_info', 'dataset_name', 'clip_id', 'frame_id',
             'source_id', 'activity', 'subject')

# per frame: load, black background, (resize to the model's input)
frame_pipeline = [
    dict(type='LoadImage'),
    dict(type='MaskBackground'),
    dict(type='GetBBoxCenterScale', padding=1.0),
    dict(type='TopdownAffine', input_size=(image_size, image_size)),
]
test_pipeline = frame_pipeline + [
    dict(type='PackPairInputs', meta_keys=meta_keys, pack_transformed=True)
]
# one image for the inference API, the demo and the swap grid
# (docs/inference.md): the box (by default the whole image) resized as the
# frames are; an image has no mask, so black its background beforehand to
# show the model what it was trained on
inference_pipeline = [
    t for t in frame_pipeline if t['type'] != 'MaskBackground'
] + [dict(type='PackPoseInputs')]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FramePairDataset',
        dataset=dict(
            type=dataset_type,
            data_root=data_root,
            subjects=train_subjects,
            with_landmarks=False,  # training reads no labels
            pipeline=frame_pipeline),
        pair_sampler=dict(
            type='ClipFramePairSampler',
            min_gap=pair_gap[0],
            max_gap=pair_gap[1]),
        pipeline=[dict(type='PackPairInputs', meta_keys=meta_keys)]))


def _split(subjects, frame_step=1):
    return dict(
        type=dataset_type,
        data_root=data_root,
        subjects=subjects,
        landmarks_order=landmarks_order,
        frame_step=frame_step,
        test_mode=True,
        pipeline=test_pipeline)


_loader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'))
val_dataloader = dict(
    **_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split(val_fit_subjects, val_frame_step),
        eval_dataset=_split(val_eval_subjects, val_frame_step)))
# the protocol: regressor fitted on the training subjects, error on all
# frames of S11
test_dataloader = dict(
    **_loader,
    dataset=dict(
        type='RegressionSplitDataset',
        fit_dataset=_split(train_subjects),
        eval_dataset=_split(test_subjects)))
del _split, _loader

# A linear regressor (no bias) from the K keypoints to the 32 joints,
# scored by the simplified protocol (docs/evaluation.md): L2 error / image
# size in %, per activity (the samples' `activity`), then averaged over
# activities. flip_best=True adds the left/right-swap-tolerant variant.
val_evaluator = dict(type='Human36MRegressionMetric', bias=False)
test_evaluator = val_evaluator
