# K = 30 landmarks learned from VoxCeleb1 frame pairs (two frames of one
# clip), evaluated by the landmark regression on MAFL (CelebA files needed for
# the evaluation only). For VoxCeleb2 videos use _base_.voxceleb2_pairs;
# for a mixture with CelebA TPS pairs, see the end of this file.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/celeba_mafl.py',
    './_base_/datasets/voxceleb.py',
]

num_keypoints = 30
model = dict(backbone=dict(num_keypoints=num_keypoints))

train_dataloader = dict(
    dataset=dict(_delete_=True, **_base_.voxceleb1_pairs))

# A mixture of VoxCeleb frame pairs and CelebA TPS pairs, one sample each
# (mmengine's ConcatDataset):
# train_dataloader = dict(
#     dataset=dict(
#         _delete_=True,
#         type='ConcatDataset',
#         datasets=[
#             _base_.voxceleb1_pairs, _base_.train_dataloader.dataset
#         ]))
