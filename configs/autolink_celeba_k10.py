# AutoLink, K = 10, trained on CelebA and evaluated on MAFL (paper: 3.54 %
# with a no-bias regressor) at 128x128: the paper's model and optimisation
# (configs/_base_/models/autolink.py) on the CelebA + MAFL data of
# configs/celeba_k10.py, single images instead of TPS pairs.
_base_ = [
    './_base_/autolink_runtime.py',
    './_base_/models/autolink.py',
    './_base_/datasets/celeba_mafl.py',
]

num_keypoints = 10
model = dict(
    backbone=dict(num_keypoints=num_keypoints),
    renderer=dict(thickness=1e-3))
train_dataloader = dict(
    batch_size=64,
    dataset=dict(
        type='CelebAMAFLDataset',
        data_root='data/celeba/',
        image_folder=['Img/img_align_celeba_hq', 'Img/img_align_celeba'],
        split='train',
        test_mode=False,
        pipeline=[
            dict(type='LoadImage'),
            dict(
                type='ResizeCrop',
                resize=(160, 160),
                crop=(16, 16, 128, 128),
                keypoint_mapping='release'),
            dict(type='PackPairInputs'),
        ]))
