# AutoLink, K = 16, on Human3.6M (simplified release; paper: 2.76 with a
# no-bias regressor) at 128x128: the paper's model and optimisation
# (configs/_base_/models/autolink.py) on the data of configs/h36m_k16.py,
# single frames with horizontal flips (as the public code) instead of pairs.
_base_ = [
    './_base_/autolink_runtime.py',
    './_base_/models/autolink.py',
    './_base_/datasets/h36m_simplified.py',
]

model = dict(backbone=dict(num_keypoints=16), renderer=dict(thickness=1e-3))
default_hooks = dict(checkpoint=dict(save_best='error', rule='less'))
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        _delete_=True,
        type='SimplifiedHuman36MDataset',
        data_root='data/human36m_simplified/',
        subjects=['S1', 'S5', 'S6', 'S7', 'S8', 'S9'],
        with_landmarks=False,
        pipeline=[
            dict(type='LoadImage'),
            dict(type='MaskBackground'),
            dict(type='GetBBoxCenterScale', padding=1.0),
            dict(type='TopdownAffine', input_size=(128, 128)),
            dict(type='RandomFlip', direction='horizontal', prob=0.5),
            dict(type='PackPairInputs'),
        ]))
