# K = 30 landmarks learned on 300W faces read by mmpose's Face300WDataset
# (mmpose's layout: data/300w/images/, data/300w/annotations/*.json); the
# regression maps them to the 68 landmarks, error / outer-eye-corner
# distance (landmarks 36 and 45). Not a setting of the paper. Any other
# mmpose dataset (COFWDataset, AFLWDataset, CocoWholeBodyFaceDataset, or a
# COCO-style file with metainfo=dict(from_file=...)) is set the same way.
_base_ = [
    './_base_/default_runtime.py',
    './_base_/models/conditional_generation.py',
    './_base_/datasets/mmpose_faces.py',
]

num_keypoints = 30
norm_indices = (36, 45)
_data = dict(
    type='Face300WDataset',
    data_root='data/300w/',
    ann_file='annotations/face_landmarks_300w_train.json')
_test = dict(_data, ann_file='annotations/face_landmarks_300w_test.json')
train_dataloader = dict(dataset=_data)
val_dataloader = dict(
    dataset=dict(
        fit_dataset=dict(dataset=_data), eval_dataset=dict(dataset=_data)))
test_dataloader = dict(dataset=dict(fit_dataset=_data, eval_dataset=_test))
val_evaluator = dict(norm_indices=norm_indices)
test_evaluator = val_evaluator
model = dict(backbone=dict(num_keypoints=num_keypoints))
